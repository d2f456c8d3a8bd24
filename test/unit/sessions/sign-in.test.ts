import { randomBytes } from 'node:crypto';
import { InvalidTokenError } from '../../../lib/core/errors';
import { createKeyring } from '../../../lib/core/keyring';
import { createMemorySessionStore } from '../../../lib/sessions/memory-session-store';
import { createSessionIssuer } from '../../../lib/sessions/session-service';
import {
  amrOf,
  PASSWORD_PROOF,
  passkeyIdOf,
  passkeyProof,
  secondFactorProof,
  sessionClaimsOf,
  type ClaimsDecider,
  type SignInProof,
} from '../../../lib/sessions/sign-in';
import type { AccessTokenSubject } from '../../../lib/tokens/access-token-issuer';
import { createRefreshTokenCodec } from '../../../lib/tokens/refresh-token';
import { createPasswordHasher } from '../../../lib/accounts/password';
import { provide } from '../../../lib/compose/part';
import { claimsDecider } from '../../../lib/compose/parts/sessions';
import { capturingLogger, createTestApp, frozenClock, PASSWORD, uniqueEmail } from '../../support/fixtures';
import { claimsOf } from '../../support/mfa-kit';
import { sessionClaimsWith } from '../../../lib/tokens/session-claims';

const client = { userAgent: 'jest', ip: '192.0.2.1' };
const POLICY = { refreshTokenTtlSeconds: 3_600, sessionMaxAgeSeconds: 86_400, refreshReuseGraceSeconds: 10, sessionLimitPerUser: 10 };

describe('amrOf: how a user proved who they are, as RFC 8176 methods', () => {
  it.each<[string, SignInProof[], string[]]>([
    ['a password', [PASSWORD_PROOF], ['pwd']],
    ['a password and a TOTP code', [PASSWORD_PROOF, secondFactorProof('totp', true)], ['pwd', 'otp', 'mfa']],
    ['a password and a recovery code', [PASSWORD_PROOF, secondFactorProof('recovery_code', true)], ['pwd', 'mfa', 'rc']],
    ['a passkey', [passkeyProof('p1', true)], ['hwk', 'user', 'mfa']],
    ['an upstream identity provider', [{ method: 'idp', idp: 'example' }], ['fed']],
  ])('%s', (_name, proofs, amr) => {
    expect(amrOf(proofs)).toEqual(amr);
  });

  it('a factor on probation proves itself but not mfa', () => {
    expect(amrOf([PASSWORD_PROOF, secondFactorProof('totp', false)])).toEqual(['pwd', 'otp']);
    expect(amrOf([PASSWORD_PROOF, secondFactorProof('recovery_code', false)])).toEqual(['pwd', 'rc']);
    expect(amrOf([passkeyProof('p1', false)])).toEqual(['hwk', 'user']);
  });

  it('lists a method once, and keeps mfa when any factor counts as such', () => {
    expect(amrOf([PASSWORD_PROOF, PASSWORD_PROOF])).toEqual(['pwd']);
    expect(amrOf([passkeyProof('p1', false), secondFactorProof('totp', true)])).toEqual(['hwk', 'user', 'otp', 'mfa']);
  });

  it('names the passkey a sign-in used, if any', () => {
    expect(passkeyIdOf([passkeyProof('p1', true)])).toBe('p1');
    expect(passkeyIdOf([PASSWORD_PROOF, secondFactorProof('totp', true)])).toBeUndefined();
  });
});

describe('sessionClaimsOf', () => {
  const at = Date.UTC(2026, 0, 1, 12, 0, 0, 999);

  it('decides amr from the proofs and auth_time from the moment, in whole seconds, and no scope', async () => {
    await expect(sessionClaimsOf({ userId: 'u', proofs: [PASSWORD_PROOF], at })).resolves.toEqual(sessionClaimsWith({ amr: ['pwd'], authTime: Math.floor(at / 1000) }));
  });

  it('lets a ClaimsDecider have the last word, and tells it the sign-in', async () => {
    const seen: unknown[] = [];
    const decide: ClaimsDecider = (claims, signIn) => (seen.push(signIn), { ...claims, scope: 'admin' });
    await expect(sessionClaimsOf({ userId: 'u', proofs: [PASSWORD_PROOF], at }, decide)).resolves.toMatchObject({ scope: 'admin', amr: ['pwd'] });
    expect(seen).toEqual([{ userId: 'u', proofs: [PASSWORD_PROOF], at }]);
  });

  it('refuses a sign-in without any proof (a bug, never a session)', async () => {
    await expect(sessionClaimsOf({ userId: 'u', proofs: [], at })).rejects.toThrow('a sign-in needs at least one proof');
  });
});

describe('the composition root\'s claimsDecider part', () => {
  it('decides what every login of the service adds to its claims, and a test can provide its own', async () => {
    // Arrange: the functions' composition with a decider that grants a scope.
    const passwords = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });
    const { app } = await createTestApp({}, { stores: 'memory', passwords, overrides: [provide(claimsDecider, (claims) => ({ ...claims, scope: 'decided' }))] });
    const email = uniqueEmail('decider');
    await app.accounts.register(email, PASSWORD);
    // Act
    const tokens = await app.sessions.login(email, PASSWORD, client);
    // Assert
    expect(claimsOf(tokens.accessToken)).toMatchObject({ scope: 'decided', amr: ['pwd'] });
  });

  it('by default adds nothing', async () => {
    const passwords = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });
    const { app } = await createTestApp({}, { stores: 'memory', passwords });
    const email = uniqueEmail('decider');
    await app.accounts.register(email, PASSWORD);
    expect(claimsOf((await app.sessions.login(email, PASSWORD, client)).accessToken)).not.toHaveProperty('scope');
  });
});

describe('the session issuer decides claims once and every token of the session carries them', () => {
  const setUp = (decideClaims?: ClaimsDecider) => {
    const clock = frozenClock();
    const sessions = createMemorySessionStore();
    const signed: AccessTokenSubject[] = [];
    const issuer = createSessionIssuer({
      policy: POLICY,
      clock,
      sessions,
      accessTokens: { issue: async (subject) => (signed.push(subject), { token: `token-${signed.length}`, expiresIn: 900 }) },
      refreshTokens: createRefreshTokenCodec(createKeyring(randomBytes(32))),
      logger: capturingLogger().logger,
      decideClaims,
    });
    return { clock, sessions, signed, issuer };
  };

  it('stores the claims on the session; a refresh signs them unchanged; a re-authentication replaces them', async () => {
    // Arrange
    const { clock, sessions, signed, issuer } = setUp();
    const loginAt = Math.floor(clock.now() / 1000);
    // Act
    const opened = await issuer.open('user-1', [PASSWORD_PROOF], client);
    clock.advance(60_000);
    const refreshed = await issuer.refresh(opened.refreshToken, client);
    clock.advance(60_000);
    await issuer.reauthenticate({ userId: 'user-1', sessionId: opened.sessionId }, [passkeyProof('p1', true)]);
    clock.advance(60_000);
    await issuer.refresh(refreshed.refreshToken, client);
    // Assert
    const loginClaims = sessionClaimsWith({ amr: ['pwd'], authTime: loginAt });
    const reauthClaims = sessionClaimsWith({ amr: ['hwk', 'user', 'mfa'], authTime: loginAt + 120 });
    expect(signed.map((subject) => subject.claims)).toEqual([loginClaims, loginClaims, reauthClaims, reauthClaims]);
    expect((await sessions.get(opened.sessionId))).toMatchObject({ claims: reauthClaims, passkeyIds: ['p1'] });
  });

  it('binds a session opened with a passkey to that passkey', async () => {
    const { sessions, issuer } = setUp();
    const opened = await issuer.open('user-1', [passkeyProof('p9', false)], client);
    expect(await sessions.get(opened.sessionId)).toMatchObject({ passkeyIds: ['p9'], claims: { amr: ['hwk', 'user'] } });
  });

  it('asks the ClaimsDecider when a session opens, never at refresh; a re-authentication keeps the account\'s claims the session holds', async () => {
    // Arrange: a decider that says which call decided.
    let calls = 0;
    const { signed, issuer } = setUp((claims) => ({ ...claims, roles: ['admin'], scope: `decided-${++calls}` }));
    // Act
    const opened = await issuer.open('user-1', [PASSWORD_PROOF], client);
    await issuer.refresh(opened.refreshToken, client);
    await issuer.reauthenticate({ userId: 'user-1', sessionId: opened.sessionId }, [passkeyProof('p1', true)]);
    // Assert: the re-authentication changed the sign-in's claims only (role changes keep the account's current).
    expect(signed.map((subject) => subject.claims.scope)).toEqual(['decided-1', 'decided-1', 'decided-1']);
    expect(signed.at(-1)?.claims).toMatchObject({ roles: ['admin'], amr: ['hwk', 'user', 'mfa'] });
    expect(calls).toBe(1);
  });

  it('a re-authentication of another user\'s session records nothing: invalid_token', async () => {
    const { sessions, issuer } = setUp();
    const opened = await issuer.open('user-1', [PASSWORD_PROOF], client);
    await expect(issuer.reauthenticate({ userId: 'user-2', sessionId: opened.sessionId }, [passkeyProof('p1', true)])).rejects.toThrow(InvalidTokenError);
    expect(await sessions.get(opened.sessionId)).toMatchObject({ claims: { amr: ['pwd'] } });
  });
});
