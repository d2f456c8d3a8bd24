import { commandOf, OFFLINE, PACKAGING, plugins } from '../../../infra/plugins.js';

describe('serverless.yml plugins per command', () => {
  const argv = (...args: string[]) => ['/usr/bin/node', '/x/node_modules/serverless/bin/serverless.js', ...args];

  it('reads the command after any leading options', () => {
    expect(commandOf(argv('offline', 'start', '--stage', 'dev'))).toBe('offline');
    expect(commandOf(argv('--verbose', 'package'))).toBe('package');
    expect(commandOf(argv())).toBeUndefined();
  });

  it('loads neither serverless-esbuild nor the packaging plugins for serverless offline', () => {
    const offline = plugins(undefined, argv('offline', 'start', '--stage', 'dev'));
    expect(offline).toEqual(OFFLINE);
    expect(offline).not.toContain('serverless-esbuild');
    expect(offline).toContain('serverless-offline');
  });

  it('packages with serverless-esbuild first and the native packages plugin after it', () => {
    for (const command of ['package', 'deploy', 'print']) {
      const list = plugins(undefined, argv(command, '--stage', 'prod'));
      expect(list).toEqual(PACKAGING);
      expect(list.indexOf('serverless-esbuild')).toBeLessThan(list.indexOf('./infra/plugins/native-packages.js'));
      expect(list).not.toContain('./infra/plugins/offline-functions.js');
    }
  });
});
