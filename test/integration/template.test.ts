import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readZip } from '../../bench/zip';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { roleResources, DYNAMODB_ACCESS } = require('../../infra/iam.js');

const ROOT = join(__dirname, '..', '..');
const PLACEHOLDER_KEYS = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'placeholder-x', y: 'placeholder-y', kid: 'placeholder', alg: 'ES256', use: 'sig' }] });

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const statementsOf = (role: Resource): Statement[] => role.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement);
const actionsOf = (statement: Statement) => [statement.Action].flat();

// Everything here is checked on what `serverless package` writes: no AWS account is needed.
describe('packaged CloudFormation template (stage prod)', () => {
  let directory: string;
  let resources: Record<string, Resource>;
  let outputs: Record<string, any>;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'jwt-auth-package-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      CORS_ALLOWED_ORIGINS: 'https://app.example.com',
      ESBUILD_WORK_FOLDER: `.esbuild/package-${process.pid}`,
    };
    for (const name of ['AUTH_LOCAL_DEV', 'JWT_PRIVATE_KEY', 'REFRESH_TOKEN_HASH_KEY', 'AUTHORIZER_CHECK_SESSION', 'JWT_ALG']) delete env[name];
    await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'node_modules/serverless/bin/serverless.js'), 'package', '--stage', 'prod', '--package', directory, `--param=verificationKeys=${PLACEHOLDER_KEYS}`],
      { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 },
    );
    const template = JSON.parse(readFileSync(join(directory, 'cloudformation-template-update-stack.json'), 'utf8'));
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
      const expected = (DYNAMODB_ACCESS[key] as { actions: string[] }[]).flatMap(({ actions }) => actions.map((action) => `dynamodb:${action}`)).sort();
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

  it('creates tables on demand, with TTL, point-in-time recovery, encryption and deletion protection', () => {
    const tables = ofType('AWS::DynamoDB::Table');
    expect(tables).toHaveLength(2);
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

  it('runs Node 22 on arm64, sizes functions on purpose and keeps logs for a bounded time', () => {
    for (const [, fn] of functions()) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
    }
    expect(resources.AuthorizerLambdaFunction!.Properties.MemorySize).toBe(128);
    expect(resources.LoginLambdaFunction!.Properties.MemorySize).toBe(1024);
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
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      const response = ofType('AWS::ApiGateway::GatewayResponse').find(([, r]) => r.Properties.ResponseType === type)![1];
      expect(response.Properties.ResponseParameters['gatewayresponse.header.Access-Control-Allow-Origin']).toBe("'https://app.example.com'");
    }
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
