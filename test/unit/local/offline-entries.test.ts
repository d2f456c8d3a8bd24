import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { entryModule, foreignVariables, sourceOf, splitHandler } from '../../../infra/plugins/offline-entries.js';

describe('offline bundles: one entry per function', () => {
  it('splits a handler into its module and export path, dots in folders included', () => {
    expect(splitHandler('handlers/login.handler')).toEqual({ modulePath: 'handlers/login', exportPath: 'handler' });
    expect(splitHandler('src/v1.2/api.routes.get')).toEqual({ modulePath: 'src/v1.2/api', exportPath: 'routes.get' });
    expect(() => splitHandler('handlers/login')).toThrow(/names no export/);
  });

  it('finds the source as serverless-esbuild does, TypeScript first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'offline-entries-'));
    try {
      mkdirSync(join(dir, 'handlers'));
      writeFileSync(join(dir, 'handlers', 'a.js'), '');
      writeFileSync(join(dir, 'handlers', 'a.ts'), '');
      expect(sourceOf(dir, 'handlers/a')).toBe(join(dir, 'handlers', 'a.ts'));
      expect(() => sourceOf(dir, 'handlers/missing')).toThrow(/no source for handler module "handlers\/missing"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("removes only the variables other functions define for themselves, never the provider's or its own", () => {
    const functions = {
      authorizer: { handler: 'handlers/authorizer.handler' },
      authorizerMfa: { handler: 'handlers/authorizer.handler', environment: { AUTHORIZER_REQUIRED_AMR: 'mfa' } },
      login: { handler: 'handlers/login.handler', environment: { LOG_LEVEL: 'debug', ONLY_LOGIN: '1' } },
    };
    const provider = { LOG_LEVEL: 'info', USERS_TABLE: 'users' };
    expect(foreignVariables(functions, provider, 'authorizer')).toEqual(['AUTHORIZER_REQUIRED_AMR', 'ONLY_LOGIN']);
    expect(foreignVariables(functions, provider, 'authorizerMfa')).toEqual(['ONLY_LOGIN']);
    expect(foreignVariables(functions, provider, 'login')).toEqual(['AUTHORIZER_REQUIRED_AMR']);
  });

  it('exports the named handler as `handler`, and forgets the foreign variables at load and before each call', async () => {
    const env: Record<string, string> = { AUTHORIZER_REQUIRED_AMR: 'mfa', KEEP: 'yes' };
    const seen: (string | undefined)[] = [];
    const code = { routes: { get: async (event: { n: number }) => (seen.push(env.AUTHORIZER_REQUIRED_AMR), event.n + 1) } };
    const module = { exports: {} as { handler?: (event: unknown, context: unknown, callback: unknown) => Promise<number> } };
    runInNewContext(entryModule({ source: '/src/api.ts', exportPath: 'routes.get', foreign: ['AUTHORIZER_REQUIRED_AMR'] }), {
      exports: module.exports,
      process: { env },
      require: (path: string) => (path === '/src/api.ts' ? code : undefined),
    });
    expect(env).toEqual({ KEEP: 'yes' });
    env.AUTHORIZER_REQUIRED_AMR = 'mfa'; // another function's call put it back
    await expect(module.exports.handler!({ n: 1 }, {}, undefined)).resolves.toBe(2);
    expect(seen).toEqual([undefined]);
    expect(env).toEqual({ KEEP: 'yes' });
  });

  it('refuses to load when the export is not a function', () => {
    const run = () =>
      runInNewContext(entryModule({ source: '/src/a.ts', exportPath: 'handler', foreign: [] }), { exports: {}, process: { env: {} }, require: () => ({ handler: 42 }) });
    expect(run).toThrow('handler is not a function exported by /src/a.ts');
  });
});
