import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..', '..');
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const serverlessYml = parse(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as { provider: { runtime: string }; custom: { esbuild: { target: string } } };

describe('one Node major version everywhere', () => {
  const lambdaMajor = /^nodejs(\d+)\.x$/.exec(serverlessYml.provider.runtime)?.[1];

  it('runs these tests on the Lambda runtime major version (the npm package `node`, first on PATH in npm scripts)', () => {
    expect(lambdaMajor).toBe('24');
    expect(process.versions.node.split('.')[0]).toBe(lambdaMajor);
  });

  it('builds for that version and says so in engines and the `node` dev dependency', () => {
    expect(serverlessYml.custom.esbuild.target).toBe(`node${lambdaMajor}`);
    expect(packageJson.engines.node).toBe(`>=${lambdaMajor}`);
    expect(packageJson.devDependencies.node).toMatch(new RegExp(`^\\^${lambdaMajor}\\.`));
    expect(packageJson.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${lambdaMajor}\\.`));
  });
});
