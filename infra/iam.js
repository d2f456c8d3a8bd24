'use strict';
// @ts-check
/**
 * One IAM role per function, each allowed only the DynamoDB actions on the tables and index it
 * uses, its own log group, and the SSM parameters it reads. The stateless authorizer gets no
 * data access at all.
 */
const { parameterNames } = require('./environment.js');
const { XRAY_STATEMENT } = require('./monitoring.js');
const { serviceAndStage } = require('./service.js');

const USERS = { 'Fn::GetAtt': ['UsersTable', 'Arn'] };
const SESSIONS = { 'Fn::GetAtt': ['SessionsTable', 'Arn'] };
const SESSIONS_BY_USER = { 'Fn::Join': ['/', [{ 'Fn::GetAtt': ['SessionsTable', 'Arn'] }, 'index', 'liveByUser']] };
const EMAIL_OUTBOX = { 'Fn::GetAtt': ['EmailOutboxTable', 'Arn'] };
/**
 * An email that could not be sent is kept in the outbox (one PutItem), by the functions that send it.
 * @type {import('./types').DynamoDbGrant}
 */
const KEEPS_FAILED_EMAILS = { actions: ['PutItem'], resources: [EMAIL_OUTBOX] };

/**
 * DynamoDB access per function; what is not listed is denied.
 * @type {Record<string, import('./types').DynamoDbGrant[]>}
 */
const DYNAMODB_ACCESS = {
  // PutItem: the account (a transaction of two puts) and its verification token; DeleteItem undoes the token when the email fails.
  register: [{ actions: ['PutItem', 'DeleteItem'], resources: [USERS] }, KEEPS_FAILED_EMAILS],
  login: [
    // PutItem: the MFA token of a login on a TOTP account (issue 13). ConditionCheckItem: the new
    // session is written only while the account still has the password hash the login verified.
    { actions: ['GetItem', 'UpdateItem', 'DeleteItem', 'PutItem', 'ConditionCheckItem'], resources: [USERS] },
    // PutItem opens the session; the rest keep the account under its session limit.
    { actions: ['PutItem', 'BatchGetItem', 'UpdateItem'], resources: [SESSIONS] },
    { actions: ['Query'], resources: [SESSIONS_BY_USER] },
  ],
  refresh: [{ actions: ['UpdateItem'], resources: [SESSIONS] }],
  logout: [{ actions: ['UpdateItem'], resources: [SESSIONS] }],
  logoutAll: [
    { actions: ['UpdateItem'], resources: [SESSIONS] },
    { actions: ['Query'], resources: [SESSIONS_BY_USER] },
  ],
  listSessions: [
    { actions: ['BatchGetItem'], resources: [SESSIONS] },
    { actions: ['Query'], resources: [SESSIONS_BY_USER] },
  ],
  endSession: [{ actions: ['UpdateItem'], resources: [SESSIONS] }],
  me: [{ actions: ['GetItem'], resources: [USERS] }],
  jwks: [],
  authorizer: [],
  // accounts (issue 12)
  verifyEmail: [{ actions: ['GetItem', 'UpdateItem'], resources: [USERS] }],
  // PutItem stores a one-time token (throttled by its sentAt); DeleteItem/PutItem undo it when the email fails.
  verifyRequest: [{ actions: ['GetItem', 'PutItem', 'DeleteItem'], resources: [USERS] }],
  forgotPassword: [{ actions: ['GetItem', 'PutItem', 'DeleteItem'], resources: [USERS] }, KEEPS_FAILED_EMAILS],
  resetPassword: [
    // UpdateItem: the token and the new password in one transaction; DeleteItem clears the login throttle
    // (and, on a first proof of the mailbox, the TOTP and passkeys enrolled before it).
    { actions: ['GetItem', 'UpdateItem', 'DeleteItem'], resources: [USERS] },
    { actions: ['UpdateItem'], resources: [SESSIONS] },
    { actions: ['Query'], resources: [SESSIONS_BY_USER] },
    KEEPS_FAILED_EMAILS,
  ],
  changePassword: [
    { actions: ['GetItem', 'UpdateItem', 'DeleteItem'], resources: [USERS] },
    { actions: ['UpdateItem'], resources: [SESSIONS] },
    { actions: ['Query'], resources: [SESSIONS_BY_USER] },
    KEEPS_FAILED_EMAILS,
  ],
  // The outbox's retry, every minute: GetItem reads the account and its one-time token item,
  // PutItem/DeleteItem issue a fresh token (and undo it when the send fails again).
  emailOutbox: [
    { actions: ['GetItem', 'PutItem', 'DeleteItem'], resources: [USERS] },
    { actions: ['Query', 'UpdateItem', 'DeleteItem'], resources: [EMAIL_OUTBOX] },
  ],
  deleteAccount: [
    // The passkey purge deletes each passkey and the account's list in one transaction of conditional deletes.
    { actions: ['GetItem', 'UpdateItem', 'DeleteItem'], resources: [USERS] },
    { actions: ['UpdateItem'], resources: [SESSIONS] },
    { actions: ['Query'], resources: [SESSIONS_BY_USER] },
  ],
  // end accounts

  // mfa (issue 13)
  // BatchGetItem: the account's passkeys (adding TOTP to an account that has one needs a sign-in with a second factor).
  mfaTotpSetup: [{ actions: ['GetItem', 'BatchGetItem', 'PutItem'], resources: [USERS] }],
  // DeleteItem and UpdateItem: the transaction that consumes the pending secret and turns TOTP on;
  // UpdateItem also counts the code against the login throttle and stores the factor notice.
  mfaTotpConfirm: [
    { actions: ['GetItem', 'BatchGetItem', 'DeleteItem', 'UpdateItem'], resources: [USERS] },
    // Turning TOTP on ends every other session of the account (they were opened with the password alone).
    { actions: ['UpdateItem'], resources: [SESSIONS] },
    { actions: ['Query'], resources: [SESSIONS_BY_USER] },
  ],
  mfaTotpDisable: [{ actions: ['GetItem', 'UpdateItem', 'DeleteItem'], resources: [USERS] }],
  mfaRecoveryCodes: [{ actions: ['GetItem', 'UpdateItem', 'DeleteItem'], resources: [USERS] }],
  mfaVerify: [
    // DeleteItem + UpdateItem: the transaction that spends the MFA token and the code together.
    { actions: ['GetItem', 'UpdateItem', 'DeleteItem'], resources: [USERS] },
    { actions: ['PutItem', 'BatchGetItem', 'UpdateItem'], resources: [SESSIONS] },
    { actions: ['Query'], resources: [SESSIONS_BY_USER] },
  ],
  // end mfa

  // passkeys (issue 14)
  // PutItem: a challenge; GetItem/BatchGetItem: the account, its passkey list and passkeys.
  passkeyRegisterOptions: [{ actions: ['GetItem', 'BatchGetItem', 'PutItem'], resources: [USERS] }],
  // GetItem/BatchGetItem: the account and its passkeys (the checks before adding one). DeleteItem takes
  // the challenge; the transaction puts the passkey and updates the list (UpdateItem also stores the
  // factor notice). ConditionCheckItem: the account must still exist when the passkey is added (a race
  // with DELETE /me), with the credentials version the challenge was issued under.
  passkeyRegisterVerify: [{ actions: ['GetItem', 'BatchGetItem', 'DeleteItem', 'PutItem', 'UpdateItem', 'ConditionCheckItem'], resources: [USERS] }],
  listPasskeys: [{ actions: ['GetItem', 'BatchGetItem'], resources: [USERS] }],
  deletePasskey: [
    // GetItem: the account (for the notice); the transaction deletes the passkey and updates the list; UpdateItem stores the notice.
    { actions: ['GetItem', 'DeleteItem', 'UpdateItem'], resources: [USERS] },
    // The sessions the passkey opened end: the by-user index, a batch read of each page, a write per session.
    { actions: ['BatchGetItem', 'UpdateItem'], resources: [SESSIONS] },
    { actions: ['Query'], resources: [SESSIONS_BY_USER] },
  ],
  passkeyLoginOptions: [{ actions: ['GetItem', 'BatchGetItem', 'PutItem'], resources: [USERS] }],
  passkeyLoginVerify: [
    // GetItem: the passkey and the account; DeleteItem: the challenge; UpdateItem: the counter.
    // ConditionCheckItem: a challenge bound to an account opens a session only while the account
    // still has the credentials version it was issued under (a reset or change ends it).
    { actions: ['GetItem', 'DeleteItem', 'UpdateItem', 'ConditionCheckItem'], resources: [USERS] },
    // Opening the session, as login does.
    { actions: ['PutItem', 'BatchGetItem', 'UpdateItem'], resources: [SESSIONS] },
    { actions: ['Query'], resources: [SESSIONS_BY_USER] },
  ],
  // end passkeys

  // re-authentication and factor notices
  reauthenticate: [
    // GetItem: the account, its TOTP state, the passkey; UpdateItem: the login throttle, the spent
    // code, the passkey's counter; DeleteItem: the throttle's reset, the passkey challenge.
    { actions: ['GetItem', 'UpdateItem', 'DeleteItem'], resources: [USERS] },
    // One conditional write on the caller's session.
    { actions: ['UpdateItem'], resources: [SESSIONS] },
  ],
  factorsReport: [
    // GetItem: the notice and the account; UpdateItem: spending the notice, turning TOTP off,
    // dropping recovery codes; DeleteItem + UpdateItem: the transaction that removes a passkey.
    { actions: ['GetItem', 'UpdateItem', 'DeleteItem'], resources: [USERS] },
    { actions: ['UpdateItem'], resources: [SESSIONS] },
    { actions: ['Query'], resources: [SESSIONS_BY_USER] },
  ],
  // end re-authentication
};

/**
 * The secrets (SSM parameters) each function reads, as lib/compose builds it: the signing key
 * only where tokens are issued, the hash key only where refresh tokens or cursors are hashed.
 * @type {Record<string, import('./types').SecretName[]>}
 */
const SECRETS = {
  register: ['hashKey'],
  login: ['privateKey', 'hashKey'],
  refresh: ['privateKey', 'hashKey'],
  logout: ['hashKey'],
  logoutAll: [],
  listSessions: ['hashKey'],
  endSession: [],
  me: [],
  jwks: [],
  authorizer: [],
  // accounts (issue 12)
  verifyEmail: ['hashKey'],
  verifyRequest: ['hashKey'],
  forgotPassword: ['hashKey'],
  resetPassword: ['hashKey'],
  changePassword: [],
  deleteAccount: [],
  // A retried token email carries a fresh one-time token.
  emailOutbox: ['hashKey'],
  // end accounts

  // mfa (issue 13): the hash key derives the TOTP-secret, recovery-code and MFA-token keys.
  mfaTotpSetup: ['hashKey'],
  mfaTotpConfirm: ['hashKey'],
  mfaTotpDisable: ['hashKey'],
  mfaRecoveryCodes: ['hashKey'],
  mfaVerify: ['privateKey', 'hashKey'],
  // end mfa

  // passkeys (issue 14)
  // hashKey: keyed hashes of challenges; privateKey only where tokens are issued.
  passkeyRegisterOptions: ['hashKey'],
  passkeyRegisterVerify: ['hashKey'],
  listPasskeys: [],
  // hashKey: the factor notice's one-time token.
  deletePasskey: ['hashKey'],
  passkeyLoginOptions: ['hashKey'],
  passkeyLoginVerify: ['privateKey', 'hashKey'],
  // end passkeys

  // re-authentication: a new access token (signing key), TOTP secrets, codes and challenges (hash key)
  reauthenticate: ['privateKey', 'hashKey'],
  factorsReport: ['hashKey'],
};

/**
 * The functions that send email (ses:SendEmail, only as the EMAIL_FROM identity).
 * @type {Record<string, boolean>}
 */
const SENDS_EMAIL = {
  // accounts (issue 12)
  register: true,
  verifyRequest: true,
  forgotPassword: true,
  resetPassword: true,
  changePassword: true,
  emailOutbox: true,
  // end accounts
  // factor notices: every function that adds or removes a second factor
  mfaTotpConfirm: true,
  mfaTotpDisable: true,
  mfaRecoveryCodes: true,
  passkeyRegisterVerify: true,
  deletePasskey: true,
};

/**
 * The SES identities EMAIL_FROM may be authorised through: its address and its domain (SES checks
 * the identity that was verified, which may be either). "Name <address>" is accepted.
 * @param {string | undefined} emailFrom
 * @returns {{ 'Fn::Sub': string }[]}
 */
function sesIdentities(emailFrom) {
  const address = (/<([^>]+)>/.exec(emailFrom ?? '')?.[1] ?? emailFrom ?? '').trim();
  const domain = address.split('@')[1];
  if (!domain) return [];
  return [address, domain].map((identity) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:identity/${identity}` }));
}

/**
 * The logical id of a function's role: `login` → `LoginRole`.
 * @param {string} functionName
 */
const roleName = (functionName) => `${functionName[0].toUpperCase()}${functionName.slice(1)}Role`;

/**
 * One function's role: its log group, its DynamoDB grants, its SSM parameters (by name) and, for
 * the functions that send email, ses:SendEmail as the EMAIL_FROM identity.
 * @param {{ service: string, stage: string, functionName: string, dynamoDb: import('./types').DynamoDbGrant[], parameters: string[], sesIdentityArns?: unknown[], tracing?: boolean }} options
 * @returns {import('./types').RoleResource}
 */
function roleResource({ service, stage, functionName, dynamoDb, parameters, sesIdentityArns = [], tracing = false }) {
  /** @type {import('./types').IamStatement[]} */
  const statements = [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${service}-${stage}-${functionName}:*` },
    },
    ...dynamoDb.map(({ actions, resources }) => ({ Effect: 'Allow', Action: actions.map((action) => `dynamodb:${action}`), Resource: resources })),
  ];
  if (parameters.length) {
    statements.push({
      Effect: 'Allow',
      Action: ['ssm:GetParameter'],
      Resource: parameters.map((name) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}` })),
    });
  }
  if (sesIdentityArns.length) statements.push({ Effect: 'Allow', Action: ['ses:SendEmail'], Resource: sesIdentityArns });
  // Active tracing (deploy parameter `tracing`): the function sends its segments to X-Ray.
  if (tracing) statements.push(XRAY_STATEMENT);
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [{ PolicyName: `${service}-${stage}-${functionName}`, PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
    },
  };
}

/**
 * Roles for every function, for the given authorizer mode.
 * @param {string} service
 * @param {string} stage
 * @param {{ checkSession: boolean, algorithm: string, previousHashKey?: boolean, mfaAuthorizer?: boolean, emailFrom?: string | undefined, tracing?: boolean }} options
 * @returns {Record<string, import('./types').RoleResource>}
 */
function roleResources(service, stage, { checkSession, algorithm, previousHashKey = false, mfaAuthorizer = false, emailFrom, tracing = false }) {
  const names = parameterNames(service, stage);
  /** @type {Record<string, import('./types').RoleResource>} */
  const resources = {};
  for (const [functionName, access] of Object.entries(DYNAMODB_ACCESS)) {
    let dynamoDb = access;
    let parameters = SECRETS[functionName].flatMap((secret) =>
      secret === 'hashKey' && previousHashKey ? [names.hashKey, names.previousHashKey] : [names[secret]],
    );
    if (functionName === 'authorizer') {
      dynamoDb = checkSession ? [{ actions: ['GetItem'], resources: [SESSIONS] }] : [];
      parameters = algorithm === 'HS256' ? [names.privateKey] : [];
    }
    const sesIdentityArns = SENDS_EMAIL[functionName] ? sesIdentities(emailFrom) : [];
    resources[roleName(functionName)] = roleResource({ service, stage, functionName, dynamoDb, parameters, sesIdentityArns, tracing });
    // The MFA-requiring authorizer (deploy parameter mfaAuthorizer) is the same code: the same access.
    if (functionName === 'authorizer' && mfaAuthorizer) {
      resources[roleName('authorizerMfa')] = roleResource({ service, stage, functionName: 'authorizerMfa', dynamoDb, parameters, tracing });
    }
  }
  return resources;
}

/**
 * For serverless.yml: `${file(./infra/iam.js):roles}`.
 * @param {import('./types').VariableSources} sources
 */
async function roles({ resolveVariable }) {
  const { service, stage } = await serviceAndStage(resolveVariable);
  return roleResources(service, stage, {
    checkSession: process.env.AUTHORIZER_CHECK_SESSION === 'true',
    algorithm: process.env.JWT_ALG ?? 'ES256',
    previousHashKey: String(await resolveVariable("param:previousHashKey, 'false'")) === 'true',
    mfaAuthorizer: String(await resolveVariable("param:mfaAuthorizer, 'false'")) === 'true',
    emailFrom: process.env.EMAIL_FROM,
    tracing: String(await resolveVariable("param:tracing, 'false'")).trim() === 'true',
  });
}

module.exports = { roles, roleResources, roleName, DYNAMODB_ACCESS, SECRETS, SENDS_EMAIL, sesIdentities };
