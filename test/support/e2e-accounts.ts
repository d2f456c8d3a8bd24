import { SignJWT, importJWK, type JWK } from 'jose';
import { PASSWORD, signingJwk } from './fixtures';
import { call } from './http';
import { linkIn, tokenOfLink, waitForEmail, type StoredEmail } from './inbox';

/**
 * Accounts over HTTP for the end-to-end tests: adding TOTP or a passkey needs a verified email,
 * so these register and confirm the email with the link the local SES emulator holds.
 */

/** The SES emulator of the run (test/support/global-setup.ts starts it). */
export const sesEndpoint = () => process.env.TEST_SES_ENDPOINT!;

/** The one-time token of the newest email to `to` whose subject holds `subject`. */
export const emailedToken = async (to: string, subject: string, after?: number) => tokenOfLink(linkIn(await waitForEmail(sesEndpoint(), { to, subjectIncludes: subject, after })));

/** Registers `email` and confirms it with the verification link; throws on any unexpected status. */
export async function registerVerified(base: string, email: string, password = PASSWORD): Promise<void> {
  const registered = await call(base, 'POST', '/auth/register', { json: { email, password } });
  if (registered.status !== 201) throw new Error(`register answered ${registered.status}: ${registered.text}`);
  const verified = await call(base, 'POST', '/auth/email/verify', { json: { token: await emailedToken(email, 'Confirm') } });
  if (verified.status !== 204) throw new Error(`email/verify answered ${verified.status}: ${verified.text}`);
}

/** The claims of a JWT, unverified (tokens of the test server). */
export const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

/**
 * The same access token with other claims (e.g. an `auth_time` an hour old), signed again with
 * the test server's key (test/support/fixtures.ts gives every server of a test file the same
 * ES256 key): how a test reaches "a sign-in long ago" without waiting for it.
 */
export async function resignedAccessToken(accessToken: string, overrides: Record<string, unknown>): Promise<string> {
  const jwk = (await signingJwk('ES256')) as JWK & { kid: string };
  const claims = { ...claimsOf(accessToken), ...overrides };
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'at+jwt' }).sign(await importJWK(jwk, 'ES256'));
}

/** An access token of the same session whose sign-in was `seconds` ago. */
export const signedInAgo = (accessToken: string, seconds: number) => resignedAccessToken(accessToken, { auth_time: Math.floor(Date.now() / 1000) - seconds });

const RESET_SUBJECT = 'Reset your';
/** How long a reset email may take before it is asked for again. */
const RESET_EMAIL_PATIENCE_MS = 8_000;

/**
 * The newest reset email to `email` since `after`, asking forgot-password once more if none has
 * come. Forgot-password must send within its response floor; on a loaded machine (the whole suite
 * on two cores) a send can miss it, and the email then waits for the outbox's scheduled retry,
 * which serverless-offline never runs. Such a miss undoes the link and its throttle, so asking
 * again sends a fresh one; a send that was only slow arrives anyway (the second ask is throttled).
 */
export async function resetEmailFor(base: string, email: string, after: number): Promise<StoredEmail> {
  try {
    return await waitForEmail(sesEndpoint(), { to: email, subjectIncludes: RESET_SUBJECT, after }, RESET_EMAIL_PATIENCE_MS);
  } catch {
    const asked = await call(base, 'POST', '/auth/password/forgot', { json: { email } });
    if (asked.status !== 202) throw new Error(`forgot-password answered ${asked.status} when asked again`);
    return waitForEmail(sesEndpoint(), { to: email, subjectIncludes: RESET_SUBJECT, after }, 15_000);
  }
}

/** Asks for a reset email (202) and returns its one-time token. */
export async function resetTokenFor(base: string, email: string): Promise<string> {
  const after = Date.now();
  const asked = await call(base, 'POST', '/auth/password/forgot', { json: { email } });
  if (asked.status !== 202) throw new Error(`forgot-password answered ${asked.status}`);
  return tokenOfLink(linkIn(await resetEmailFor(base, email, after)));
}
