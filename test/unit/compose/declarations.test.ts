import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployedFunctions, loadDeclarations } from '../../../infra/declarations.js';
import { functions } from '../../../infra/functions.js';
import { serviceRoutePermissions } from '../../../infra/route-permissions.js';
import { route } from '../../../lib/compose/declaration';
import { accessByFunction, roleResources } from '../../../infra/iam.js';
import { NATIVE_PACKAGES, PASSWORD_HASHING_FUNCTIONS } from '../../../infra/native-modules.js';
import { passwordHasher } from '../../../lib/compose/parts/sessions';
import { closure } from '../../../lib/compose/part';

const HANDLERS = join(__dirname, '..', '..', '..', 'handlers');
const all = loadDeclarations();
const handlerFiles = readdirSync(HANDLERS).filter((name) => name.endsWith('.ts') && !name.endsWith('.function.ts'));

type Statement = { Action: string | string[]; Resource: unknown };
const statementsOf = (role: { Properties: { Policies: { PolicyDocument: { Statement: Statement[] } }[] } }) => role.Properties.Policies[0]!.PolicyDocument.Statement;
const TABLE_OF: Record<string, string> = {
  '{"Fn::GetAtt":["UsersTable","Arn"]}': 'users',
  '{"Fn::GetAtt":["SessionsTable","Arn"]}': 'sessions',
  '{"Fn::Join":["/",[{"Fn::GetAtt":["SessionsTable","Arn"]},"index","liveByUser"]]}': 'sessionsByUser',
  '{"Fn::GetAtt":["EmailOutboxTable","Arn"]}': 'emailOutbox',
  '{"Fn::GetAtt":["AuditTable","Arn"]}': 'audit',
  '{"Fn::Join":["/",[{"Fn::GetAtt":["AuditTable","Arn"]},"index","allByTime"]]}': 'auditAll',
  '{"Fn::Join":["/",[{"Fn::GetAtt":["AuditTable","Arn"]},"index","byTypeAndTime"]]}': 'auditByType',
  '{"Fn::GetAtt":["ClientsTable","Arn"]}': 'clients',
};
const MODES = [
  { checkSession: false, algorithm: 'ES256' },
  { checkSession: true, algorithm: 'ES256' },
  { checkSession: false, algorithm: 'HS256' },
  { checkSession: true, algorithm: 'EdDSA' },
];

describe('function declarations (handlers/<name>.function.ts)', () => {
  it('gives every handler exactly one declaration, and every declaration a handler', () => {
    const declared = all.map(({ file }) => file.replace(/^handlers\//, '').replace(/\.function\.ts$/, '.ts')).sort();
    expect(declared).toEqual([...handlerFiles].sort());
    for (const file of handlerFiles) {
      const source = readFileSync(join(HANDLERS, file), 'utf8');
      const imports = [...source.matchAll(/from '\.\/([^']+)\.function'/g)].map((match) => match[1]);
      // The demo page builds no part: its declaration is only its routes.
      if (file === 'demo.ts') continue;
      expect({ file, imports }).toEqual({ file, imports: [file.slice(0, -3)] });
    }
  });

  it('lets a handler build only its declaration\'s parts: no handler imports a part module itself', () => {
    for (const file of handlerFiles) {
      const source = readFileSync(join(HANDLERS, file), 'utf8');
      expect({ file, partImports: source.match(/lib\/compose\/(parts\/|secrets|observability)/g) }).toEqual({ file, partImports: null });
    }
  });

  it('names each function once, and serves each route (method and path) from one function only', () => {
    const names = all.map(({ declaration }) => `${declaration.kind === 'authorizer' ? `${declaration.name}:${declaration.variant}` : declaration.name}`);
    expect(new Set(names).size).toBe(names.length);
    const routes = all.flatMap(({ declaration }) => (declaration.kind === 'http' ? declaration.routes.map((route) => `${route.method.toUpperCase()} /${route.path}`) : []));
    expect(routes.length).toBeGreaterThanOrEqual(28);
    expect(routes.filter((route, index) => routes.indexOf(route) !== index)).toEqual([]);
  });

  it('deploys one authorizer variant: the session-checking one only where it reads a session or an SSM key', () => {
    const variantOf = (sessionCheckAuthorizer: boolean) => deployedFunctions({ sessionCheckAuthorizer }).filter(({ declaration }) => declaration.kind === 'authorizer').map(({ handler }) => handler);
    expect(variantOf(false)).toEqual(['handlers/authorizer.handler']);
    expect(variantOf(true)).toEqual(['handlers/authorizer-session-check.handler']);
    expect(deployedFunctions({ sessionCheckAuthorizer: false }).map(({ declaration }) => declaration.name)).not.toContain('demo');
    expect(deployedFunctions({ local: true, sessionCheckAuthorizer: false }).map(({ declaration }) => declaration.name)).toContain('demo');
  });
});

describe('generated IAM roles: exactly the union of each function\'s parts\' needs', () => {
  it.each(MODES)('grants each function the table actions, secrets and SES its parts declare, and nothing else (%o)', (mode) => {
    const env = { AUTHORIZER_CHECK_SESSION: mode.checkSession ? 'true' : undefined, JWT_ALG: mode.algorithm };
    const roles = roleResources('jwt-auth', 'prod', { ...mode, previousHashKey: true, emailFrom: 'no-reply@auth.example.com' }) as Record<string, any>;
    const deployed = deployedFunctions({ sessionCheckAuthorizer: mode.checkSession || mode.algorithm === 'HS256' });
    expect(Object.keys(roles).sort()).toEqual(deployed.map(({ declaration }) => `${declaration.name[0]!.toUpperCase()}${declaration.name.slice(1)}Role`).sort());
    for (const fn of deployed) {
      const needs = fn.needs(env);
      const statements = statementsOf(roles[`${fn.declaration.name[0]!.toUpperCase()}${fn.declaration.name.slice(1)}Role`]);
      const granted: Record<string, string[]> = {};
      const parameters: string[] = [];
      let sendsEmail = false;
      for (const statement of statements) {
        const actions = [statement.Action].flat();
        if (actions[0]!.startsWith('dynamodb:')) {
          for (const resource of [statement.Resource].flat()) {
            const table = TABLE_OF[JSON.stringify(resource)];
            expect(table).toBeDefined();
            granted[table!] = [...(granted[table!] ?? []), ...actions.map((action) => action.slice('dynamodb:'.length))].sort();
          }
        } else if (actions.includes('ssm:GetParameter')) {
          parameters.push(...(statement.Resource as { 'Fn::Sub': string }[]).map((resource) => resource['Fn::Sub'].split(':parameter')[1]!));
        } else if (actions.includes('ses:SendEmail')) {
          sendsEmail = true;
        } else {
          expect(actions).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
        }
      }
      const declared = Object.fromEntries(Object.entries(needs.tables).map(([table, actions]) => [table, [...actions!].sort()]));
      expect({ fn: fn.declaration.name, tables: granted }).toEqual({ fn: fn.declaration.name, tables: declared });
      const expectedParameters = needs.secrets.flatMap((secret) =>
        secret === 'signingKey' ? ['/jwt-auth/prod/jwt-private-key'] : ['/jwt-auth/prod/refresh-token-hash-key', '/jwt-auth/prod/refresh-token-previous-hash-key'],
      );
      expect({ fn: fn.declaration.name, parameters: parameters.sort() }).toEqual({ fn: fn.declaration.name, parameters: expectedParameters.sort() });
      expect({ fn: fn.declaration.name, sendsEmail }).toEqual({ fn: fn.declaration.name, sendsEmail: needs.sendsEmail });
    }
  });

  it('keeps least privilege where it matters: no data or secret for the stateless authorizer, the session read only when checking sessions', () => {
    expect(accessByFunction({ checkSession: false, algorithm: 'ES256' }).authorizer).toEqual({ dynamoDb: [], secrets: [], sendsEmail: false });
    expect(accessByFunction({ checkSession: true, algorithm: 'ES256' }).authorizer).toEqual({
      dynamoDb: [{ actions: ['GetItem'], resources: [{ 'Fn::GetAtt': ['SessionsTable', 'Arn'] }] }],
      secrets: [],
      sendsEmail: false,
    });
    expect(accessByFunction({ checkSession: false, algorithm: 'HS256' }).authorizer).toEqual({ dynamoDb: [], secrets: ['privateKey'], sendsEmail: false });
    const access = accessByFunction({ checkSession: false, algorithm: 'ES256' });
    expect(access.me).toEqual({ dynamoDb: [{ actions: ['GetItem'], resources: [{ 'Fn::GetAtt': ['UsersTable', 'Arn'] }] }], secrets: [], sendsEmail: false });
    expect(access.jwks).toEqual({ dynamoDb: [], secrets: [], sendsEmail: false });
  });

  it('lets exactly the functions that raise audited security events write the audit trail, and only PutItem', () => {
    // A function that raises an audited event without the part counts AuditWriteFailed at run time (lib/audit/audit-trail.ts).
    const RECORDING = [
      'changePassword', 'deleteAccount', 'deletePasskey', 'factorsReport', 'forgotPassword', 'login', 'logout', 'logoutAll',
      'mfaRecoveryCodes', 'mfaTotpConfirm', 'mfaTotpDisable', 'mfaVerify', 'passkeyLoginVerify', 'passkeyRegisterVerify',
      'reauthenticate', 'refresh', 'resetPassword', 'verifyEmail',
      'adminDisableUser', 'adminEnableUser', 'adminSignOutUser', 'adminDeleteUser', 'adminSetUserRoles',
      'adminCreateClient', 'adminDeleteClient', 'adminRotateClientSecret',
    ];
    const recording = all.filter((fn) => Object.values(fn.declaration.parts).some((p) => p.name === 'auditTrail')).map(({ declaration }) => declaration.name);
    expect(recording.sort()).toEqual(RECORDING.sort());
    const access = accessByFunction({ checkSession: false, algorithm: 'ES256' });
    const auditActions = (name: string) =>
      access[name]!.dynamoDb.filter((grant: { resources: unknown[] }) => JSON.stringify(grant.resources).includes('AuditTable')).flatMap((grant: { actions: string[] }) => grant.actions);
    for (const name of RECORDING.filter((name) => name !== 'deleteAccount' && name !== 'adminDeleteUser')) expect({ name, actions: auditActions(name) }).toEqual({ name, actions: ['PutItem'] });
    // Deleting an account also removes its events; listing one's own reads one partition, no index.
    expect(auditActions('deleteAccount').sort()).toEqual(['DeleteItem', 'PutItem', 'Query']);
    expect(auditActions('adminDeleteUser').sort()).toEqual(['DeleteItem', 'PutItem', 'Query']);
    expect(access.listSecurityEvents!.dynamoDb).toEqual([{ actions: ['Query'], resources: [{ 'Fn::GetAtt': ['AuditTable', 'Arn'] }] }]);
    expect(auditActions('me')).toEqual([]);
    expect(auditActions('register')).toEqual([]);
  });

  it('ships the argon2 binary to exactly the functions whose parts include the password hasher', () => {
    // The declarations come from infra's own bundle: the part is the same by name, not by object.
    const hashing = all.filter((fn) => closure(fn.parts).some((p) => p.name === passwordHasher.name)).map(({ declaration }) => declaration.name);
    expect([...PASSWORD_HASHING_FUNCTIONS].sort()).toEqual(hashing.sort());
    expect(PASSWORD_HASHING_FUNCTIONS).toEqual(expect.arrayContaining(['login', 'register', 'resetPassword']));
    expect(NATIVE_PACKAGES).toEqual([{ name: '@node-rs/argon2-linux-arm64-gnu', functions: PASSWORD_HASHING_FUNCTIONS }]);
  });
});

describe('infra/functions.js: serverless.yml\'s functions from the declarations', () => {
  const custom: Record<string, unknown> = { 'self:custom.cors': { origins: ['https://app.example.com'] }, 'self:custom.authorizer': { name: 'authorizer', type: 'token' } };
  const sources = (params: Record<string, string> = {}) => ({
    resolveVariable: async (address: string) => custom[address] ?? (address.startsWith('param:mfaAuthorizer') ? (params.mfaAuthorizer ?? 'false') : undefined),
    resolveConfigurationProperty: async () => undefined,
    options: {},
  });

  it('gives each function its role, size and events; a jwt route the authorizer, a public one none', async () => {
    const defined = (await functions(sources())) as Record<string, any>;
    expect(defined.login).toEqual({
      handler: 'handlers/login.handler',
      role: 'LoginRole',
      memorySize: 512,
      events: [{ http: { path: 'auth/login', method: 'post', cors: custom['self:custom.cors'] } }],
    });
    expect(defined.me.events).toEqual([{ http: { path: 'me', method: 'get', authorizer: custom['self:custom.authorizer'], cors: custom['self:custom.cors'] } }]);
    expect(defined.emailOutbox).toEqual({ handler: 'handlers/email-outbox.handler', role: 'EmailOutboxRole', timeout: 60, events: [{ schedule: 'rate(1 minute)' }] });
    expect(defined.authorizer).toEqual({ handler: 'handlers/authorizer.handler', role: 'AuthorizerRole', memorySize: 128, timeout: 3, environment: { AUTHORIZER_SERVICE_ROUTES: expect.any(String) } });
    expect(defined.demo).toBeUndefined();
    expect(defined.authorizerMfa).toBeUndefined();
    expect(Object.keys(defined)).toHaveLength(all.filter(({ declaration }) => !declaration.localOnly).length - 1);
  });

  it('adds the MFA-requiring authorizer with --param="mfaAuthorizer=true", on the same handler', async () => {
    const defined = (await functions(sources({ mfaAuthorizer: 'true' }))) as Record<string, any>;
    expect(defined.authorizerMfa).toEqual({
      handler: 'handlers/authorizer.handler',
      role: 'AuthorizerMfaRole',
      memorySize: 128,
      timeout: 3,
      environment: { AUTHORIZER_REQUIRED_AMR: 'mfa', AUTHORIZER_SERVICE_ROUTES: defined.authorizer.environment.AUTHORIZER_SERVICE_ROUTES },
    });
  });

  it('hands the authorizers every protected route of the service with its permission (null: a valid token suffices), and no public route', async () => {
    const defined = (await functions(sources())) as Record<string, any>;
    const routes = JSON.parse(defined.authorizer.environment.AUTHORIZER_SERVICE_ROUTES) as Record<string, string | null>;
    const protectedRoutes = all.flatMap(({ declaration }) => (declaration.kind === 'http' && !declaration.localOnly ? declaration.routes.filter((route) => route.authorizer !== 'none') : []));
    expect(Object.keys(routes).sort()).toEqual(protectedRoutes.map((route) => `${route.method.toUpperCase()} /${route.path}`).sort());
    expect(routes['GET /me']).toBeNull();
    expect(routes).not.toHaveProperty(['POST /auth/login']);
    for (const route of protectedRoutes) expect(routes[`${route.method.toUpperCase()} /${route.path}`]).toBe(route.permission ?? null);
  });

  it('passes AUTHORIZER_ROUTE_PERMISSIONS (or --param="authorizerRoutePermissions=...") to the authorizers, refusing what is no JSON', async () => {
    const map = '{"GET /orders/{id}": "orders:read"}';
    const defined = (await functions({ ...sources(), resolveVariable: async (address: string) => (address.startsWith('param:authorizerRoutePermissions') ? map : (await sources().resolveVariable(address))) })) as Record<string, any>;
    expect(defined.authorizer.environment.AUTHORIZER_ROUTE_PERMISSIONS).toBe(map);
    const broken = { ...sources(), resolveVariable: async (address: string) => (address.startsWith('param:authorizerRoutePermissions') ? '{"GET /a": ' : (await sources().resolveVariable(address))) };
    await expect(functions(broken)).rejects.toThrow(/authorizerRoutePermissions/);
  });
});

describe('infra/route-permissions.js', () => {
  const http = (routes: unknown[]) => [{ declaration: { kind: 'http', name: 'admin', routes, parts: {} } as never }];

  it('maps a declared permission, and refuses one on a route without an authorizer or one that is no permission', () => {
    expect(serviceRoutePermissions(http([route('get', 'admin/users', 'mfa', 'users:read'), route('get', 'me', 'jwt'), route('post', 'auth/login')]))).toEqual({ 'GET /admin/users': 'users:read', 'GET /me': null });
    expect(() => serviceRoutePermissions(http([route('get', 'open', 'none', 'users:read')]))).toThrow(/no authorizer/);
    expect(() => serviceRoutePermissions(http([route('get', 'x', 'jwt', 'Users Read')]))).toThrow(/no permission/);
  });
});
