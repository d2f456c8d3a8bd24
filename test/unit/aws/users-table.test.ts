import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { attemptsKey, emailKey, factorNoticesKey, oneTimeKey, PARTITION_KEY, passkeyKey, passkeyListKey, pendingTotpKey, ticketKey, TTL_ATTRIBUTE, userKey } from '../../../lib/aws/users-table';

const ROOT = join(__dirname, '..', '..', '..');
const THE_HOME = 'lib/aws/users-table.ts';
// A key prefix spelled in code: an upper-case word and `#` opening a string or template literal.
const SPELLS_PREFIX = /[`'"][A-Z][A-Z_]+#/;

function sourceFiles(directory: string): string[] {
  return readdirSync(join(ROOT, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** The lines of a file that are code, not comments (prefixes are named in doc comments on purpose). */
const codeLines = (text: string) => text.split('\n').filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line));

describe('the users table key space', () => {
  it('spells the keys that stored items already have (changing one would orphan every item of its kind)', () => {
    expect([
      emailKey('a@example.com'),
      userKey('u1'),
      attemptsKey('a@example.com'),
      oneTimeKey('reset_password', 'u1'),
      factorNoticesKey('u1'),
      pendingTotpKey('u1'),
      passkeyKey('c1'),
      passkeyListKey('u1'),
      ticketKey('mfa_login', 'h'),
      ticketKey('webauthn_challenge', 'h'),
      ticketKey('one_time_token', 'h'),
    ]).toEqual([
      { pk: 'EMAIL#a@example.com' },
      { pk: 'USER#u1' },
      { pk: 'LOGIN_FAILURES#a@example.com' },
      { pk: 'ONE_TIME#reset_password#u1' },
      { pk: 'ONE_TIME#report_factor#u1' },
      { pk: 'TOTP_PENDING#u1' },
      { pk: 'PASSKEY#c1' },
      { pk: 'PASSKEYS#u1' },
      { pk: 'MFA_TOKEN#h' },
      { pk: 'WEBAUTHN_CHALLENGE#h' },
      { pk: 'ONE_TIME_TOKEN#h' },
    ]);
  });

  it('names the partition key and TTL attribute that infra/tables.js deploys', () => {
    const { tableResources } = require('../../../infra/tables.js') as { tableResources: (service: string, stage: string) => { UsersTable: { Properties: { KeySchema: { AttributeName: string }[]; TimeToLiveSpecification: { AttributeName: string } } } } };
    const users = tableResources('svc', 'dev').UsersTable.Properties;
    expect(users.KeySchema.map((key) => key.AttributeName)).toEqual([PARTITION_KEY]);
    expect(users.TimeToLiveSpecification.AttributeName).toBe(TTL_ATTRIBUTE);
  });

  it(`has no file but ${THE_HOME} spelling a key prefix in code`, () => {
    const files = [...sourceFiles('lib'), ...sourceFiles('handlers')].map((path) => relative(ROOT, join(ROOT, path)));
    expect(files).toContain(THE_HOME);
    const spellers = files.filter((path) => path !== THE_HOME && codeLines(readFileSync(join(ROOT, path), 'utf8')).some((line) => SPELLS_PREFIX.test(line)));
    expect(spellers).toEqual([]);
  });

  it('recognises a prefix in a string or a template literal, not in prose', () => {
    expect(["({ pk: `EMAIL#${email}` })", "'MFA_TOKEN#' + hash"].map((line) => SPELLS_PREFIX.test(line))).toEqual([true, true]);
    expect(SPELLS_PREFIX.test('the EMAIL# item')).toBe(false);
  });
});
