import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const ROOT = join(__dirname, '../..');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens; headings in code blocks do not count. */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  let inCode = false;
  for (const line of readFileSync(join(ROOT, file), 'utf8').split('\n')) {
    if (line.startsWith('```')) inCode = !inCode;
    const heading = !inCode && /^#{1,6} (.*)/.exec(line);
    if (heading) anchors.add(heading[1]!.trim().toLowerCase().replace(/&lt;|&gt;/g, '').replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-'));
  }
  return anchors;
}

/** Every relative link of the README and docs/*.md that names a missing file or heading. */
function brokenLinks(): string[] {
  const broken: string[] = [];
  for (const doc of DOCS) {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue;
      const [path, fragment] = target!.split('#', 2) as [string, string | undefined];
      const file = path ? normalize(join(dirname(doc), path)) : doc;
      if (!existsSync(join(ROOT, file))) broken.push(`${doc}: ${target} (no such file)`);
      else if (fragment && file.endsWith('.md') && !anchorsOf(file).has(fragment)) broken.push(`${doc}: ${target} (no such heading)`);
    }
  }
  return broken;
}

describe('the README and docs/', () => {
  it('link only to files and headings that exist', () => {
    expect(brokenLinks()).toEqual([]);
  });

  it('include the architecture and the runbook, linked from the README', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('](docs/architecture.md)');
    expect(readme).toContain('](docs/operations.md');
    for (const heading of ['the-path-of-a-login', 'the-path-of-a-refresh', 'the-path-of-an-authorization', 'ports-and-adapters', 'where-a-change-goes']) {
      expect(anchorsOf('docs/architecture.md').has(heading)).toBe(true);
    }
  });
});
