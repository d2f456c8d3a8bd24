import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** The one reader of the process environment; every feature's config.ts reads the `env` it is given. */
const THE_READER = 'lib/core/config.ts';

function sourceFiles(directory: string): string[] {
  return readdirSync(join(ROOT, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });
}

// `process.env`, `process['env']`, `process?.env`, and `const { env } = process` all count.
const READS_ENV = /\bprocess\s*(\?\.|\.)\s*env\b|\bprocess\s*\[\s*['"`]env['"`]\s*\]|\{[^}]*\benv\b[^}]*\}\s*=\s*process\b/;

describe('configuration is read from the environment in one place', () => {
  const files = [...sourceFiles('lib'), ...sourceFiles('handlers')].map((path) => relative(ROOT, join(ROOT, path)));

  it('scans the product code (lib/ and handlers/)', () => {
    expect(files).toContain(THE_READER);
    expect(files.length).toBeGreaterThan(50);
  });

  it(`has no file but ${THE_READER} reading process.env`, () => {
    const readers = files.filter((path) => READS_ENV.test(readFileSync(join(ROOT, path), 'utf8')));
    expect(readers).toEqual([THE_READER]);
  });

  it('recognises every way of writing the read', () => {
    for (const text of ['process.env.X', "process['env']", 'process?.env', 'const { env } = process']) expect([text, READS_ENV.test(text)]).toEqual([text, true]);
    expect(READS_ENV.test('readEnvironment()')).toBe(false);
  });
});
