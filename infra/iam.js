'use strict';
// @ts-check
/**
 * One IAM role per function, each allowed only the DynamoDB actions on the tables and index it
 * uses, its own log group, and the SSM parameters it reads: generated from the needs of the parts
 * its declaration lists (handlers/<name>.function.ts). The stateless authorizer gets no data
 * access at all.
 */
const { parameterNames } = require('./environment.js');
const { XRAY_STATEMENT } = require('./monitoring.js');
const { deployedFunctions } = require('./declarations.js');
const { serviceAndStage } = require('./service.js');
const { AUDIT_INDEXES } = require('./tables.js');

/** Each table a part may need (lib/compose/part.ts TABLES), as the ARN its grant names. */
const TABLE_ARNS = {
  users: { 'Fn::GetAtt': ['UsersTable', 'Arn'] },
  sessions: { 'Fn::GetAtt': ['SessionsTable', 'Arn'] },
  sessionsByUser: { 'Fn::Join': ['/', [{ 'Fn::GetAtt': ['SessionsTable', 'Arn'] }, 'index', 'liveByUser']] },
  emailOutbox: { 'Fn::GetAtt': ['EmailOutboxTable', 'Arn'] },
  audit: { 'Fn::GetAtt': ['AuditTable', 'Arn'] },
  auditAll: { 'Fn::Join': ['/', [{ 'Fn::GetAtt': ['AuditTable', 'Arn'] }, 'index', AUDIT_INDEXES.all]] },
  auditByType: { 'Fn::Join': ['/', [{ 'Fn::GetAtt': ['AuditTable', 'Arn'] }, 'index', AUDIT_INDEXES.byType]] },
  clients: { 'Fn::GetAtt': ['ClientsTable', 'Arn'] },
};

/**
 * The deployed environment that conditional needs (`when`) are read against.
 * @param {{ checkSession: boolean, algorithm: string }} options
 * @returns {Record<string, string | undefined>}
 */
const deployEnv = ({ checkSession, algorithm }) => ({ AUTHORIZER_CHECK_SESSION: checkSession ? 'true' : undefined, JWT_ALG: algorithm });

/**
 * What each deployed function may do, from its declaration's parts (lib/compose/part.ts needs):
 * DynamoDB grants per table, secrets, and whether it sends email. Nothing is listed by hand.
 * @param {{ checkSession: boolean, algorithm: string }} options
 */
function accessByFunction(options) {
  const env = deployEnv(options);
  // HS256 keys are SSM secrets: the authorizer that reads SSM is deployed (infra/environment.js authorizerHandler).
  const sessionCheckAuthorizer = options.checkSession || options.algorithm === 'HS256';
  /** @type {Record<string, { dynamoDb: import('./types').DynamoDbGrant[], secrets: import('./types').SecretName[], sendsEmail: boolean }>} */
  const access = {};
  for (const fn of deployedFunctions({ sessionCheckAuthorizer })) {
    const needs = fn.needs(env);
    access[fn.declaration.name] = {
      dynamoDb: Object.entries(needs.tables).map(([table, actions]) => ({ actions: [...(actions ?? [])], resources: [TABLE_ARNS[/** @type {keyof typeof TABLE_ARNS} */ (table)]] })),
      secrets: needs.secrets.map((secret) => (secret === 'signingKey' ? 'privateKey' : 'hashKey')),
      sendsEmail: needs.sendsEmail,
    };
  }
  return access;
}

const DEFAULT_ACCESS = accessByFunction({ checkSession: process.env.AUTHORIZER_CHECK_SESSION === 'true', algorithm: process.env.JWT_ALG ?? 'ES256' });
/** DynamoDB access per function in this environment; what is not listed is denied. */
const DYNAMODB_ACCESS = Object.fromEntries(Object.entries(DEFAULT_ACCESS).map(([name, { dynamoDb }]) => [name, dynamoDb]));
/** The secrets (SSM parameters) each function reads. */
const SECRETS = Object.fromEntries(Object.entries(DEFAULT_ACCESS).map(([name, { secrets }]) => [name, secrets]));
/** The functions that send email (ses:SendEmail, only as the EMAIL_FROM identity). */
const SENDS_EMAIL = Object.fromEntries(Object.entries(DEFAULT_ACCESS).filter(([, { sendsEmail }]) => sendsEmail).map(([name]) => [name, true]));

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
  for (const [functionName, access] of Object.entries(accessByFunction({ checkSession, algorithm }))) {
    const { dynamoDb } = access;
    const parameters = access.secrets.flatMap((secret) => (secret === 'hashKey' && previousHashKey ? [names.hashKey, names.previousHashKey] : [names[secret]]));
    const sesIdentityArns = access.sendsEmail ? sesIdentities(emailFrom) : [];
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

module.exports = { roles, roleResources, roleName, accessByFunction, DYNAMODB_ACCESS, SECRETS, SENDS_EMAIL, sesIdentities };
