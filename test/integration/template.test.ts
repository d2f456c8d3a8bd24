import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readZip } from '../../bench/zip';
import { DYNAMODB_ACCESS, roleResources } from '../../infra/iam.js';

const ROOT = join(__dirname, '..', '..');
const PLACEHOLDER_KEYS = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'placeholder-x', y: 'placeholder-y', kid: 'placeholder', alg: 'ES256', use: 'sig' }] });
const PLACEHOLDER_ID_TOKEN_KEYS = JSON.stringify({ keys: [{ kty: 'RSA', e: 'AQAB', n: 'placeholder-n', kid: 'id-placeholder', alg: 'RS256', use: 'sig' }] });

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const statementsOf = (role: Resource): Statement[] => role.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement);
const actionsOf = (statement: Statement) => [statement.Action].flat();

type Template = { Resources: Record<string, Resource>; Outputs: Record<string, any> };

/** `serverless package --stage prod` into a fresh folder, with extra deploy parameters. */
async function packageStack(directory: string, params: string[] = [], extraEnv: NodeJS.ProcessEnv = { JWT_ISSUER: 'https://auth.example.com', EMAIL_FROM: 'no-reply@auth.example.com', APP_BASE_URL: 'https://app.example.com/account' }): Promise<Template> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...extraEnv,
    SLS_TELEMETRY_DISABLED: '1',
    CORS_ALLOWED_ORIGINS: 'https://app.example.com',
    ESBUILD_WORK_FOLDER: `.esbuild/package-${process.pid}-${params.length}`,
  };
  for (const name of ['AUTH_LOCAL_DEV', 'JWT_PRIVATE_KEY', 'REFRESH_TOKEN_HASH_KEY', 'AUTHORIZER_CHECK_SESSION', 'JWT_ALG', 'JWT_AUDIENCE']) {
    if (!(name in extraEnv)) delete env[name];
  }
  if (extraEnv.JWT_ISSUER === undefined) delete env.JWT_ISSUER;
  await promisify(execFile)(
    process.execPath,
    [
      join(ROOT, 'node_modules/serverless/bin/serverless.js'),
      'package',
      '--stage',
      'prod',
      '--package',
      directory,
      `--param=verificationKeys=${PLACEHOLDER_KEYS}`,
      `--param=idTokenPublicKeys=${PLACEHOLDER_ID_TOKEN_KEYS}`,
      ...params.map((param) => `--param=${param}`),
    ],
    { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(readFileSync(join(directory, 'cloudformation-template-update-stack.json'), 'utf8'));
}

describe('deploying without JWT_ISSUER', () => {
  it('fails, naming JWT_ISSUER: there is no insecure default outside local development', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'jwt-auth-package-'));
    try {
      const failure = (await packageStack(directory, [], { JWT_ISSUER: undefined }).then(
        () => ({ stdout: 'packaged', stderr: '' }),
        (error: { stdout?: string; stderr?: string }) => error,
      )) as { stdout?: string; stderr?: string };
      expect(`${failure.stdout}${failure.stderr}`).toMatch(/JWT_ISSUER is required to deploy stage "prod"/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }, 180_000);
});

// Everything here is checked on what `serverless package` writes: no AWS account is needed.
describe('packaged CloudFormation template (stage prod)', () => {
  let directory: string;
  let resources: Record<string, Resource>;
  let outputs: Record<string, any>;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'jwt-auth-package-'));
    const template = await packageStack(directory);
    resources = template.Resources;
    outputs = template.Outputs;
  }, 180_000);
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const functions = () => ofType('AWS::Lambda::Function');

  it('grants no DynamoDB wildcard, to any function', () => {
    const roles = ofType('AWS::IAM::Role');
    expect(roles.length).toBeGreaterThanOrEqual(10);
    for (const [, role] of roles) {
      for (const statement of statementsOf(role)) {
        const dynamo = actionsOf(statement).filter((action) => action.startsWith('dynamodb:'));
        if (!dynamo.length) continue;
        expect(dynamo.some((action) => action.includes('*'))).toBe(false);
        expect(JSON.stringify(statement.Resource)).not.toMatch(/"\*"|:\*"|\/\*"/);
      }
    }
    expect(resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('gives each function its own role with only the DynamoDB actions it uses', () => {
    for (const [logicalId, fn] of functions()) {
      const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
      const name = logicalId.replace(/LambdaFunction$/, '');
      const key = name[0]!.toLowerCase() + name.slice(1);
      const granted = statementsOf(resources[roleId]!).flatMap(actionsOf).filter((action) => action.startsWith('dynamodb:')).sort();
      const expected = (DYNAMODB_ACCESS[key] ?? []).flatMap(({ actions }) => actions.map((action) => `dynamodb:${action}`)).sort();
      expect({ fn: key, granted }).toEqual({ fn: key, granted: expected });
    }
    const authorizerRole = resources.AuthorizerRole!;
    expect(statementsOf(authorizerRole).flatMap(actionsOf).filter((action) => !action.startsWith('logs:'))).toEqual([]);
  });

  it('the session-checking authorizer may read sessions and nothing else', () => {
    const roles = roleResources('jwt-auth', 'prod', { checkSession: true, algorithm: 'ES256' });
    const statements = statementsOf(roles.AuthorizerRole).filter((statement) => !actionsOf(statement)[0]!.startsWith('logs:'));
    expect(statements).toEqual([{ Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: [{ 'Fn::GetAtt': ['SessionsTable', 'Arn'] }] }]);
  });

  it('keeps secrets out of Lambda environment variables: only SSM parameter names', () => {
    for (const [logicalId, fn] of functions()) {
      const variables = fn.Properties.Environment.Variables as Record<string, string>;
      expect({ logicalId, privateKey: variables.JWT_PRIVATE_KEY, hashKey: variables.REFRESH_TOKEN_HASH_KEY }).toEqual({ logicalId, privateKey: undefined, hashKey: undefined });
      expect(JSON.stringify(variables)).not.toMatch(/"d":|"k":/);
    }
    const login = resources.LoginLambdaFunction!.Properties.Environment.Variables;
    expect(login.JWT_PRIVATE_KEY_PARAMETER).toBe('/jwt-auth/prod/jwt-private-key');
    expect(login.REFRESH_TOKEN_HASH_KEY_PARAMETER).toBe('/jwt-auth/prod/refresh-token-hash-key');
    expect(resources.AuthorizerLambdaFunction!.Properties.Environment.Variables.JWT_VERIFICATION_KEYS).toBe(PLACEHOLDER_KEYS);
  });

  it('gives the ID-token public keys to the JWKS function alone (a Lambda environment holds at most 4 KB)', () => {
    const holders = functions().filter(([, fn]) => 'ID_TOKEN_PUBLIC_KEYS' in (fn.Properties.Environment.Variables as Record<string, string>));
    expect(holders.map(([logicalId]) => logicalId)).toEqual(['JwksLambdaFunction']);
    expect(resources.JwksLambdaFunction!.Properties.Environment.Variables.ID_TOKEN_PUBLIC_KEYS).toBe(PLACEHOLDER_ID_TOKEN_KEYS);
    for (const [logicalId, fn] of functions()) {
      const size = Object.entries(fn.Properties.Environment.Variables as Record<string, string>).reduce((total, [name, value]) => total + name.length + String(value).length, 0);
      expect({ logicalId, fitsIn4Kb: size <= 4096 }).toEqual({ logicalId, fitsIn4Kb: true });
    }
  });

  it('grants each function exactly the secrets it reads: the signing key where tokens are issued, the hash key where tokens are hashed', () => {
    const parametersOf = (functionKey: string) => {
      const role = resources[`${functionKey[0]!.toUpperCase()}${functionKey.slice(1)}Role`]!;
      return statementsOf(role)
        .filter((statement) => actionsOf(statement).includes('ssm:GetParameter'))
        .flatMap((statement) => (statement.Resource as { 'Fn::Sub': string }[]).map((resource) => resource['Fn::Sub'].split(':parameter')[1]))
        .sort();
    };
    const key = '/jwt-auth/prod/jwt-private-key';
    const hash = '/jwt-auth/prod/refresh-token-hash-key';
    expect(Object.fromEntries(['login', 'refresh', 'logout', 'listSessions', 'logoutAll', 'endSession', 'register', 'me', 'jwks', 'authorizer'].map((fn) => [fn, parametersOf(fn)]))).toEqual({
      login: [key, hash],
      refresh: [key, hash],
      logout: [hash],
      listSessions: [hash],
      logoutAll: [],
      endSession: [],
      // Register mints the verification email's one-time token.
      register: [hash],
      me: [],
      jwks: [],
      authorizer: [],
    });
    for (const [logicalId, fn] of functions()) {
      const variables = fn.Properties.Environment.Variables as Record<string, string>;
      expect({ logicalId, audience: variables.JWT_AUDIENCE, issuer: variables.JWT_ISSUER }).toEqual({ logicalId, audience: 'jwt-auth-prod', issuer: 'https://auth.example.com' });
    }
  });

  it('indexes live sessions by user sparsely, projecting only what never changes after login', () => {
    const [index] = resources.SessionsTable!.Properties.GlobalSecondaryIndexes;
    expect(index).toEqual({
      IndexName: 'liveByUser',
      KeySchema: [
        { AttributeName: 'liveUserId', KeyType: 'HASH' },
        { AttributeName: 'createdAt', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['absoluteExpiresAt'] },
    });
  });

  it('deploys re-authentication and factor reports with roles of their own: exactly their DynamoDB actions and secrets; every function that adds or removes a factor may send its notice', () => {
    const roleOf = (functionKey: string) => resources[`${functionKey[0]!.toUpperCase()}${functionKey.slice(1)}Role`]!;
    const grantsOf = (functionKey: string, prefix: string) => statementsOf(roleOf(functionKey)).filter((statement) => actionsOf(statement).some((action) => action.startsWith(prefix)));
    const key = '/jwt-auth/prod/jwt-private-key';
    const hash = '/jwt-auth/prod/refresh-token-hash-key';
    const parametersOf = (functionKey: string) =>
      grantsOf(functionKey, 'ssm:').flatMap((statement) => (statement.Resource as { 'Fn::Sub': string }[]).map((resource) => resource['Fn::Sub'].split(':parameter')[1])).sort();
    expect(resources.ReauthenticateLambdaFunction!.Properties.Role).toEqual({ 'Fn::GetAtt': ['ReauthenticateRole', 'Arn'] });
    expect(resources.FactorsReportLambdaFunction!.Properties.Role).toEqual({ 'Fn::GetAtt': ['FactorsReportRole', 'Arn'] });
    expect({ reauthenticate: parametersOf('reauthenticate'), factorsReport: parametersOf('factorsReport'), deletePasskey: parametersOf('deletePasskey') }).toEqual({
      reauthenticate: [key, hash],
      factorsReport: [hash],
      deletePasskey: [hash],
    });
    expect(grantsOf('reauthenticate', 'dynamodb:')).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], Resource: [{ 'Fn::GetAtt': ['UsersTable', 'Arn'] }] },
      { Effect: 'Allow', Action: ['dynamodb:UpdateItem'], Resource: [{ 'Fn::GetAtt': ['SessionsTable', 'Arn'] }] },
      { Effect: 'Allow', Action: ['dynamodb:PutItem'], Resource: [{ 'Fn::GetAtt': ['AuditTable', 'Arn'] }] },
    ]);
    for (const functionKey of ['mfaTotpConfirm', 'mfaTotpDisable', 'mfaRecoveryCodes', 'passkeyRegisterVerify', 'deletePasskey']) {
      expect({ functionKey, ses: grantsOf(functionKey, 'ses:').flatMap(actionsOf) }).toEqual({ functionKey, ses: ['ses:SendEmail'] });
    }
    for (const functionKey of ['reauthenticate', 'factorsReport', 'mfaTotpSetup', 'passkeyRegisterOptions', 'mfaVerify']) {
      expect({ functionKey, ses: grantsOf(functionKey, 'ses:') }).toEqual({ functionKey, ses: [] });
    }
  });

  it('creates tables on demand, with TTL, point-in-time recovery, encryption and deletion protection', () => {
    const tables = ofType('AWS::DynamoDB::Table');
    expect(tables.map(([id]) => id).sort()).toEqual(['AuditTable', 'ClientsTable', 'EmailOutboxTable', 'SessionsTable', 'UsersTable']);
    for (const [, table] of tables) {
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      });
      expect(table.DeletionPolicy).toBe('Retain');
    }
    expect(resources.SessionsTable!.Properties.GlobalSecondaryIndexes[0].Projection.NonKeyAttributes).not.toContain('tokenHash');
  });

  it('runs Node 24 on arm64, sizes functions on purpose and keeps logs for a bounded time', () => {
    for (const [, fn] of functions()) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
    }
    expect(resources.AuthorizerLambdaFunction!.Properties.MemorySize).toBe(128);
    expect(resources.LoginLambdaFunction!.Properties.MemorySize).toBe(512);
    for (const [, group] of ofType('AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('throttles the stage, caches the authorizer no longer than a token lives, and answers 401 with WWW-Authenticate', () => {
    const [[, deployment]] = ofType('AWS::ApiGateway::Deployment') as [[string, Resource]];
    expect(deployment.Properties.StageDescription).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    const [[, authorizer]] = ofType('AWS::ApiGateway::Authorizer') as [[string, Resource]];
    expect(authorizer.Properties.Type).toBe('TOKEN');
    expect(authorizer.Properties.AuthorizerResultTtlInSeconds).toBeLessThanOrEqual(900);
    const unauthorized = ofType('AWS::ApiGateway::GatewayResponse').find(([, response]) => response.Properties.ResponseType === 'UNAUTHORIZED')![1];
    expect(unauthorized.Properties.StatusCode).toBe('401');
    expect(unauthorized.Properties.ResponseParameters['gatewayresponse.header.WWW-Authenticate']).toBe(`'Bearer error="invalid_token"'`);
    // A refused permission: the value the authorizer put in its context (insufficient_scope and the permission).
    const denied = ofType('AWS::ApiGateway::GatewayResponse').find(([, response]) => response.Properties.ResponseType === 'ACCESS_DENIED')![1];
    expect(denied.Properties.ResponseParameters['gatewayresponse.header.WWW-Authenticate']).toBe('context.authorizer.www_authenticate');
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      const response = ofType('AWS::ApiGateway::GatewayResponse').find(([, r]) => r.Properties.ResponseType === type)![1];
      expect(response.Properties.ResponseParameters['gatewayresponse.header.Access-Control-Allow-Origin']).toBe("'https://app.example.com'");
    }
  });

  it("answers API Gateway's own refusals in the contract's JSON error shape, keeping CORS headers", () => {
    const byType = new Map(ofType('AWS::ApiGateway::GatewayResponse').map(([, response]) => [response.Properties.ResponseType as string, response.Properties]));
    const expected: Record<string, { status: string | undefined; error: string }> = {
      UNAUTHORIZED: { status: '401', error: 'invalid_token' },
      ACCESS_DENIED: { status: '403', error: 'access_denied' },
      THROTTLED: { status: '429', error: 'too_many_requests' },
      MISSING_AUTHENTICATION_TOKEN: { status: '404', error: 'not_found' },
      REQUEST_TOO_LARGE: { status: '413', error: 'payload_too_large' },
      DEFAULT_4XX: { status: undefined, error: 'invalid_request' },
      DEFAULT_5XX: { status: undefined, error: 'service_unavailable' },
    };
    for (const [type, { status, error }] of Object.entries(expected)) {
      const properties = byType.get(type);
      expect({ type, status: properties?.StatusCode }).toEqual({ type, status });
      const body = JSON.parse(properties!.ResponseTemplates['application/json']);
      expect({ type, body }).toEqual({ type, body: { error, message: expect.any(String) } });
      expect(properties!.ResponseParameters['gatewayresponse.header.Access-Control-Allow-Origin']).toBe("'https://app.example.com'");
    }
  });

  it('by default: alarms go to a topic with no subscription, no WAF, no X-Ray', () => {
    expect(ofType('AWS::SNS::Topic').map(([id]) => id)).toEqual(['AlarmTopic']);
    expect(ofType('AWS::SNS::Subscription')).toEqual([]);
    expect(ofType('AWS::WAFv2::WebACL')).toEqual([]);
    expect(ofType('AWS::WAFv2::WebACLAssociation')).toEqual([]);
    for (const [logicalId, fn] of functions()) expect({ logicalId, tracing: fn.Properties.TracingConfig }).toEqual({ logicalId, tracing: undefined });
    expect(ofType('AWS::CloudWatch::Alarm').length).toBeGreaterThan(2 * functions().length);
  });

  it('outputs the API URL, the JWKS URL and the exported authorizer ARN', () => {
    expect(outputs.ApiUrl.Value['Fn::Sub']).toMatch(/execute-api.*\/prod$/);
    expect(outputs.JwksUrl.Value['Fn::Sub']).toMatch(/\/prod\/\.well-known\/jwks\.json$/);
    expect(outputs.AuthorizerFunctionArn).toEqual({
      Description: expect.any(String),
      Value: { 'Fn::GetAtt': ['AuthorizerLambdaFunction', 'Arn'] },
      Export: { Name: 'jwt-auth-prod-authorizer-arn' },
    });
  });

  it('hands the authorizer the protected routes and their permissions, within the 4 KB Lambda allows for all environment variables', () => {
    const variables = resources.AuthorizerLambdaFunction!.Properties.Environment.Variables as Record<string, string>;
    const routes = JSON.parse(variables.AUTHORIZER_SERVICE_ROUTES!) as Record<string, string | null>;
    expect(routes).toMatchObject({ 'GET /me': null, 'DELETE /auth/sessions/{id}': null });
    expect(routes).not.toHaveProperty(['POST /auth/login']);
    const size = Object.entries(variables).reduce((total, [name, value]) => total + name.length + String(value).length, 0);
    expect(size).toBeLessThan(4096);
  });

  it('the stateless authorizer bundle is small and holds no AWS SDK', () => {
    const files = readZip(join(directory, 'authorizer.zip'));
    const bundle = files.get('handlers/authorizer.js');
    expect(bundle).toBeDefined();
    expect([...files.keys()]).toEqual(['handlers/authorizer.js']);
    const source = bundle!.toString('utf8');
    expect(source).not.toMatch(/@aws-sdk|DynamoDBClient|client-dynamodb|SSMClient/);
    expect(statSync(join(directory, 'authorizer.zip')).size).toBeLessThan(60_000);
    // The handlers that need DynamoDB do bundle the client: the check above can fail.
    expect(readZip(join(directory, 'login.zip')).get('handlers/login.js')!.toString('utf8')).toMatch(/DynamoDB/);
  });
});

// The production example of docs/operations.md: alarms to an address, WAF on; X-Ray on here to check the switch.
describe('packaged CloudFormation template (stage prod, alarmEmail, WAF and X-Ray on)', () => {
  const NAMESPACE = 'jwt-auth/prod';
  let directory: string;
  let resources: Record<string, Resource>;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'jwt-auth-package-ops-'));
    const params = ['alarmEmail=ops@example.com', 'alarmLoginFailed=42', 'waf=true', 'wafRateLimit=900', 'wafCredentialRateLimit=60', 'tracing=true', 'mfaAuthorizer=true'];
    resources = (await packageStack(directory, params)).Resources;
  }, 180_000);
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const functions = () => ofType('AWS::Lambda::Function');
  const functionNames = () => functions().map(([, fn]) => fn.Properties.FunctionName as string);
  const tableNames = () => ofType('AWS::DynamoDB::Table').map(([, table]) => table.Properties.TableName as string);
  const alarm = (logicalId: string) => {
    const found = resources[logicalId];
    expect({ logicalId, type: found?.Type }).toEqual({ logicalId, type: 'AWS::CloudWatch::Alarm' });
    return found!.Properties;
  };
  const dimensionsOf = (properties: Record<string, any>) => Object.fromEntries(properties.Dimensions.map((d: { Name: string; Value: string }) => [d.Name, d.Value]));

  it('sends every alarm to one SNS topic, which emails the alarmEmail address', () => {
    expect(ofType('AWS::SNS::Topic').map(([id]) => id)).toEqual(['AlarmTopic']);
    const subscriptions = ofType('AWS::SNS::Subscription');
    expect(subscriptions.map(([, s]) => s.Properties)).toEqual([{ TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: 'ops@example.com' }]);
    const alarms = ofType('AWS::CloudWatch::Alarm');
    for (const [logicalId, { Properties }] of alarms) {
      expect({ logicalId, actions: Properties.AlarmActions, ok: Properties.OKActions }).toEqual({ logicalId, actions: [{ Ref: 'AlarmTopic' }], ok: [{ Ref: 'AlarmTopic' }] });
      expect(Properties.AlarmDescription).toMatch(/See docs\/operations.md, "Alarms", "[^"]+"\.$/);
    }
  });

  it('names in every alarm a section of docs/operations.md that says what it means and what to do', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
    const start = doc.indexOf('\n## Alarms\n');
    const alarmsPart = doc.slice(start, doc.indexOf('\n## ', start + 1));
    // A section may cover several alarms ("users-table-throttles, sessions-table-throttles").
    const explained = new Set([...alarmsPart.matchAll(/^### (.+)$/gm)].flatMap(([, title]) => title!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').split(', ')));
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(10);
    for (const [logicalId, { Properties }] of alarms) {
      const name = /See docs\/operations\.md, "Alarms", "([^"]+)"\.$/.exec(Properties.AlarmDescription)?.[1] ?? '';
      // One alarm per function: "login-errors" is explained by "<function>-errors".
      const section = explained.has(name) ? name : name.replace(/^.+-(errors|throttles)$/, '<function>-$1');
      expect({ logicalId, name, explained: explained.has(section) }).toEqual({ logicalId, name, explained: true });
    }
  });

  it('alarms on errors and throttles of every function, by its deployed name', () => {
    expect(functions().length).toBeGreaterThanOrEqual(10);
    for (const [logicalId, fn] of functions()) {
      const base = logicalId.replace(/LambdaFunction$/, '');
      for (const metric of ['Errors', 'Throttles']) {
        const properties = alarm(`${base}${metric}Alarm`);
        expect(properties).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: metric, Statistic: 'Sum', Period: 300, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
        expect(dimensionsOf(properties)).toEqual({ FunctionName: fn.Properties.FunctionName });
      }
    }
  });

  it('alarms on the API 5xx rate of this REST API and stage, ignoring near-idle periods', () => {
    const properties = alarm('Api5xxRateAlarm');
    const apiName = resources.ApiGatewayRestApi!.Properties.Name;
    const stats = properties.Metrics.filter((query: any) => query.MetricStat).map((query: any) => query.MetricStat.Metric);
    expect(stats.map((metric: any) => [metric.Namespace, metric.MetricName, dimensionsOf(metric)])).toEqual([
      ['AWS/ApiGateway', '5XXError', { ApiName: apiName, Stage: 'prod' }],
      ['AWS/ApiGateway', 'Count', { ApiName: apiName, Stage: 'prod' }],
    ]);
    const watched = properties.Metrics.filter((query: any) => query.ReturnData);
    expect(watched).toEqual([expect.objectContaining({ Expression: expect.stringMatching(/^IF\(requests >= \d+, 100 \* errors \/ requests, 0\)$/) })]);
    expect(properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('alarms on DynamoDB throttles and system errors of every table, over every operation', () => {
    const tables = tableNames();
    expect(tables).toHaveLength(5);
    for (const [logicalId, metric, threshold] of [['ThrottlesAlarm', 'ThrottledRequests', 5], ['SystemErrorsAlarm', 'SystemErrors', 1]] as const) {
      const expressions = ['UsersTable', 'SessionsTable', 'EmailOutboxTable', 'AuditTable', 'ClientsTable'].map((table) => {
        const properties = alarm(`${table}${logicalId}`);
        expect(properties.Threshold).toBe(threshold);
        return properties.Metrics[0].Expression as string;
      });
      expect(expressions).toEqual(tables.map((table) => `SELECT SUM(${metric}) FROM SCHEMA("AWS/DynamoDB", Operation, TableName) WHERE TableName = '${table}'`));
    }
  });

  it('alarms on any refresh-token reuse, a login-failure spike (a parameter), email failures and the authorizer p99', () => {
    const custom = (logicalId: string) => {
      const properties = alarm(logicalId);
      expect(dimensionsOf(properties)).toEqual({ service: 'jwt-auth' });
      expect(properties).toMatchObject({ Namespace: NAMESPACE, Statistic: 'Sum', Period: 300 });
      return properties;
    };
    expect(custom('RefreshTokenReuseAlarm')).toMatchObject({ MetricName: 'RefreshTokenReuse', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1 });
    expect(custom('LoginFailedSpikeAlarm')).toMatchObject({ MetricName: 'LoginFailed', Threshold: 42 });
    expect(custom('EmailSendFailedAlarm')).toMatchObject({ MetricName: 'EmailSendFailed', Threshold: 1 });
    expect(custom('EmailAbandonedAlarm')).toMatchObject({ MetricName: 'EmailAbandoned', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    const latency = alarm('AuthorizerLatencyAlarm');
    expect(latency).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Duration', ExtendedStatistic: 'p99', Threshold: 250 });
    expect(dimensionsOf(latency)).toEqual({ FunctionName: resources.AuthorizerLambdaFunction!.Properties.FunctionName });
  });

  it('has a dashboard with requests, errors, latency per function, logins, refresh and reuse, authorizer and DynamoDB', () => {
    const [[, dashboard]] = ofType('AWS::CloudWatch::Dashboard') as [[string, Resource]];
    const source = dashboard.Properties.DashboardBody['Fn::Sub'] as string;
    expect(source.match(/\$\{[^}]*\}/g)!.every((variable) => variable === '${AWS::Region}')).toBe(true);
    const body = JSON.parse(source) as { widgets: { properties: { metrics: unknown[][] } }[] };
    // A metric row: [namespace, name, dimension name, value, ..., { options }]; an expression row: [{ expression }].
    const rows = body.widgets.flatMap((widget) => widget.properties.metrics);
    const has = (namespace: string, name: string, dimension?: string, stat?: string) =>
      rows.some((row) => row[0] === namespace && row[1] === name && (dimension === undefined || row.includes(dimension)) && (stat === undefined || (row.at(-1) as { stat?: string }).stat === stat));
    const missing: string[] = [];
    const expect_ = (label: string, present: boolean) => present || missing.push(label);
    for (const name of ['Count', '5XXError', '4XXError']) expect_(`api ${name}`, has('AWS/ApiGateway', name, resources.ApiGatewayRestApi!.Properties.Name));
    for (const fn of functionNames()) {
      for (const name of ['Invocations', 'Errors', 'Throttles']) expect_(`${fn} ${name}`, has('AWS/Lambda', name, fn));
      for (const stat of ['p50', 'p99']) expect_(`${fn} Duration ${stat}`, has('AWS/Lambda', 'Duration', fn, stat));
    }
    for (const name of ['LoginSucceeded', 'LoginFailed', 'RefreshSucceeded', 'RefreshTokenReuse', 'AuthorizerAllowed', 'AuthorizerDenied']) expect_(name, has(NAMESPACE, name, 'jwt-auth'));
    for (const table of tableNames()) {
      for (const name of ['ConsumedReadCapacityUnits', 'ConsumedWriteCapacityUnits']) expect_(`${table} ${name}`, has('AWS/DynamoDB', name, table));
      const expressions = rows.map((row) => (row[0] as { expression?: string }).expression ?? '').filter((expression) => expression.includes(`TableName="${table}"`));
      expect_(`${table} ThrottledRequests`, expressions.some((expression) => expression.includes('ThrottledRequests')));
    }
    expect_('AuthorizerDenied by reason', rows.some((row) => /MetricName="AuthorizerDenied"/.test((row[0] as { expression?: string }).expression ?? '')));
    expect(missing).toEqual([]);
  });

  it('saves Logs Insights queries for security events by user, by IP, and reuse incidents, over every function log group', () => {
    const queries = Object.fromEntries(ofType('AWS::Logs::QueryDefinition').map(([, query]) => [query.Properties.Name, query]));
    expect(Object.keys(queries).sort()).toEqual(['jwt-auth-prod/refresh-token-reuse-incidents', 'jwt-auth-prod/security-events-by-ip', 'jwt-auth-prod/security-events-by-user']);
    const logGroups = functionNames().map((name) => `/aws/lambda/${name}`).sort();
    for (const query of Object.values(queries) as Resource[]) {
      expect([...query.Properties.LogGroupNames].sort()).toEqual(logGroups);
      for (const dependency of (query as Resource & { DependsOn: string[] }).DependsOn) expect(resources[dependency]?.Type).toBe('AWS::Logs::LogGroup');
    }
    expect(queries['jwt-auth-prod/security-events-by-user'].Properties.QueryString).toMatch(/ispresent\(security_event\)[\s\S]*by userId/);
    expect(queries['jwt-auth-prod/security-events-by-ip'].Properties.QueryString).toMatch(/ispresent\(security_event\)[\s\S]*by ip/);
    expect(queries['jwt-auth-prod/refresh-token-reuse-incidents'].Properties.QueryString).toMatch(/security_event = "refresh_token_reuse"/);
  });

  it('attaches a WAF web ACL with per-IP rate limits to the stage, after the stage exists, refusing in the JSON shape', () => {
    const acl = resources.WebAcl!;
    expect(acl.Properties.Scope).toBe('REGIONAL');
    const limits = acl.Properties.Rules.map((rule: any) => [rule.Statement.RateBasedStatement.AggregateKeyType, rule.Statement.RateBasedStatement.Limit, rule.Action.Block.CustomResponse.ResponseCode]);
    expect(limits).toEqual([['IP', 60, 429], ['IP', 900, 429]]);
    // The stricter limit finds the credential paths after percent-decoding, wherever they stand in the path.
    const scoped = acl.Properties.Rules[0].Statement.RateBasedStatement.ScopeDownStatement.OrStatement.Statements.map((statement: any) => statement.ByteMatchStatement);
    expect(scoped.map((match: any) => match.SearchString)).toEqual(expect.arrayContaining(['/auth/login', '/auth/mfa/verify', '/auth/passkeys/login/verify']));
    for (const match of scoped) {
      expect(match.PositionalConstraint).toBe('CONTAINS');
      expect(match.TextTransformations.map((transformation: { Type: string }) => transformation.Type)).toEqual(['URL_DECODE', 'LOWERCASE']);
    }
    const body = JSON.parse(acl.Properties.CustomResponseBodies.too_many_requests.Content);
    expect(body).toEqual({ error: 'too_many_requests', message: expect.any(String) });
    const association = resources.WebAclAssociation as Resource & { DependsOn: string[] };
    expect(association.Properties.ResourceArn['Fn::Sub']).toMatch(/:apigateway:\$\{AWS::Region\}::\/restapis\/\$\{ApiGatewayRestApi\}\/stages\/prod$/);
    expect(association.Properties.WebACLArn).toEqual({ 'Fn::GetAtt': ['WebAcl', 'Arn'] });
    const [[deploymentId]] = ofType('AWS::ApiGateway::Deployment') as [[string, Resource]];
    expect(association.DependsOn).toEqual([deploymentId]);
  });

  it('turns on X-Ray active tracing for every function with tracing=true, and lets each role send its segments', () => {
    for (const [logicalId, fn] of functions()) {
      expect({ logicalId, tracing: fn.Properties.TracingConfig }).toEqual({ logicalId, tracing: { Mode: 'Active' } });
      const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
      expect({ roleId, xray: statementsOf(resources[roleId]!).flatMap(actionsOf).filter((action) => action.startsWith('xray:')) }).toEqual({
        roleId,
        xray: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      });
    }
  });
});

describe('the optional MFA-requiring authorizer', () => {
  it('is deployed only with mfaAuthorizer=true: same code and access as the authorizer, AUTHORIZER_REQUIRED_AMR=mfa, its own exported ARN', async () => {
    const plain = mkdtempSync(join(tmpdir(), 'jwt-auth-package-'));
    const withMfa = mkdtempSync(join(tmpdir(), 'jwt-auth-package-'));
    try {
      const [without, with_] = [await packageStack(plain), await packageStack(withMfa, ['mfaAuthorizer=true'])];
      expect(without.Resources.AuthorizerMfaLambdaFunction).toBeUndefined();
      expect(without.Outputs.MfaAuthorizerFunctionArn).toBeUndefined();
      const fn = with_.Resources.AuthorizerMfaLambdaFunction!;
      expect(fn.Properties.Environment.Variables.AUTHORIZER_REQUIRED_AMR).toBe('mfa');
      expect(fn.Properties.Handler).toBe(with_.Resources.AuthorizerLambdaFunction!.Properties.Handler);
      expect(with_.Resources.AuthorizerMfaRole!.Properties.Policies[0].PolicyDocument.Statement.map((statement: { Action: string[] }) => statement.Action)).toEqual(
        with_.Resources.AuthorizerRole!.Properties.Policies[0].PolicyDocument.Statement.map((statement: { Action: string[] }) => statement.Action),
      );
      expect(with_.Resources.AuthorizerMfaInvokePermission!.Properties.Principal).toBe('apigateway.amazonaws.com');
      expect(with_.Outputs.MfaAuthorizerFunctionArn.Export.Name).toBe('jwt-auth-prod-mfa-authorizer-arn');
    } finally {
      rmSync(plain, { recursive: true, force: true });
      rmSync(withMfa, { recursive: true, force: true });
    }
  }, 240_000);
});

// accounts: the roles of the account functions, SES scoping, and the email settings a deploy needs.
describe('packaged CloudFormation template: account functions', () => {
  const ACCOUNT_FUNCTIONS = ['verifyEmail', 'verifyRequest', 'forgotPassword', 'resetPassword', 'changePassword', 'deleteAccount', 'emailOutbox'];
  const EMAIL_SENDERS = ['register', 'verifyRequest', 'forgotPassword', 'resetPassword', 'changePassword', 'emailOutbox'];
  const identityArn = (identity: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:identity/${identity}` });
  let directory: string;
  let resources: Record<string, Resource>;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'jwt-auth-package-accounts-'));
    resources = (await packageStack(directory)).Resources;
  }, 180_000);
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const roleOf = (functionKey: string) => resources[`${functionKey[0]!.toUpperCase()}${functionKey.slice(1)}Role`]!;
  const statementsWith = (functionKey: string, prefix: string) => statementsOf(roleOf(functionKey)).filter((statement) => actionsOf(statement).some((action) => action.startsWith(prefix)));

  it('deploys each account function with its own role, granting exactly its DynamoDB actions', () => {
    for (const functionKey of ACCOUNT_FUNCTIONS) {
      const name = `${functionKey[0]!.toUpperCase()}${functionKey.slice(1)}LambdaFunction`;
      expect({ functionKey, role: resources[name]?.Properties.Role }).toEqual({ functionKey, role: { 'Fn::GetAtt': [`${functionKey[0]!.toUpperCase()}${functionKey.slice(1)}Role`, 'Arn'] } });
      const granted = statementsWith(functionKey, 'dynamodb:').flatMap(actionsOf).sort();
      const expected = (DYNAMODB_ACCESS[functionKey] as { actions: string[] }[]).flatMap(({ actions }) => actions.map((action) => `dynamodb:${action}`)).sort();
      expect({ functionKey, granted }).toEqual({ functionKey, granted: expected });
    }
  });

  it('lets exactly the functions that send email call ses:SendEmail, and only as the EMAIL_FROM identity (address and domain)', () => {
    for (const functionKey of [...ACCOUNT_FUNCTIONS, 'register', 'login', 'refresh', 'me', 'authorizer']) {
      const ses = statementsWith(functionKey, 'ses:');
      const expected = EMAIL_SENDERS.includes(functionKey)
        ? [{ Effect: 'Allow', Action: ['ses:SendEmail'], Resource: [identityArn('no-reply@auth.example.com'), identityArn('auth.example.com')] }]
        : [];
      expect({ functionKey, ses }).toEqual({ functionKey, ses: expected });
    }
  });

  it('gives the hash key to the functions that mint or check one-time tokens, and the signing key to none of them', () => {
    const parametersOf = (functionKey: string) =>
      statementsWith(functionKey, 'ssm:')
        .flatMap((statement) => (statement.Resource as { 'Fn::Sub': string }[]).map((resource) => resource['Fn::Sub'].split(':parameter')[1]))
        .sort();
    const hash = '/jwt-auth/prod/refresh-token-hash-key';
    expect(Object.fromEntries([...ACCOUNT_FUNCTIONS, 'register'].map((functionKey) => [functionKey, parametersOf(functionKey)]))).toEqual({
      verifyEmail: [hash],
      verifyRequest: [hash],
      forgotPassword: [hash],
      resetPassword: [hash],
      changePassword: [],
      deleteAccount: [],
      emailOutbox: [hash],
      register: [hash],
    });
  });

  it('runs the email outbox retry every minute, and lets only the functions that send email keep one in the outbox', () => {
    const rules = Object.values(resources).filter((resource) => resource.Type === 'AWS::Events::Rule');
    expect(rules.map((rule) => [rule.Properties.ScheduleExpression, rule.Properties.Targets[0].Arn])).toEqual([['rate(1 minute)', { 'Fn::GetAtt': ['EmailOutboxLambdaFunction', 'Arn'] }]]);
    const outboxWriters = Object.entries(resources)
      .filter(([, resource]) => resource.Type === 'AWS::IAM::Role')
      .filter(([, role]) => statementsOf(role).some((statement) => JSON.stringify(statement.Resource).includes('EmailOutboxTable') && actionsOf(statement).includes('dynamodb:PutItem')))
      .map(([logicalId]) => logicalId)
      .sort();
    expect(outboxWriters).toEqual(['ChangePasswordRole', 'ForgotPasswordRole', 'RegisterRole', 'ResetPasswordRole']);
  });

  it('packs the arm64 argon2 binary into the functions that hash a password', () => {
    for (const functionKey of ['resetPassword', 'changePassword', 'deleteAccount']) {
      const files = [...readZip(join(directory, `${functionKey}.zip`)).keys()];
      expect({ functionKey, native: files.some((file) => file.includes('@node-rs/argon2-linux-arm64-gnu')) }).toEqual({ functionKey, native: true });
    }
  });
});

describe('deploying stage prod without EMAIL_FROM or APP_BASE_URL', () => {
  it('fails, naming both', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'jwt-auth-package-'));
    try {
      const failure = (await packageStack(directory, [], { JWT_ISSUER: 'https://auth.example.com', EMAIL_FROM: undefined, APP_BASE_URL: undefined }).then(
        () => ({ stdout: 'packaged', stderr: '' }),
        (error: { stdout?: string; stderr?: string }) => error,
      )) as { stdout?: string; stderr?: string };
      expect(`${failure.stdout}${failure.stderr}`).toMatch(/EMAIL_FROM and APP_BASE_URL are required to deploy stage "prod"/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }, 180_000);
});
