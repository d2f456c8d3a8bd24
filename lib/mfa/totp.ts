import { timingSafeEqual } from 'node:crypto';
import { generateSecret, generateSync } from 'otplib';

/**
 * TOTP as RFC 6238 with the parameters every authenticator app assumes: HMAC-SHA-1,
 * 6 digits, 30-second steps counted from the Unix epoch. otplib computes the codes;
 * this module only fixes the parameters, picks the window and compares in constant time.
 *
 * Replay: `matchStep` returns the step a code belongs to instead of a yes/no, so the caller
 * can store the last step it accepted for the account (with a conditional write) and accept
 * a code only when its step is greater. A code of any step, including one from a
 * neighbouring step, can then never be accepted twice.
 */

export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
const PERIOD_MS = TOTP_PERIOD_SECONDS * 1000;
const SECRET_BYTES = 20;
/** Steps either side of the current one that are still accepted (clock drift, slow typing). */
const WINDOW_STEPS = 1;
const CODE_PATTERN = /^[0-9]{6}$/;

/** A fresh 160-bit TOTP secret, base32 (RFC 4648) without padding: 32 characters A-Z2-7. */
export function newTotpSecret(): string {
  return generateSecret({ length: SECRET_BYTES });
}

/** Thrown when the issuer or account cannot be put into an otpauth:// label unambiguously. */
export class OtpauthLabelError extends Error {
  override readonly name = 'OtpauthLabelError';
}

/**
 * The otpauth:// URI an authenticator app scans: label `issuer:account`, the issuer again as a
 * parameter (apps differ in which one they read), and the parameters spelled out explicitly.
 */
export function otpauthUri({ secret, issuer, account }: { secret: string; issuer: string; account: string }): string {
  // The colon separates issuer from account in the label; apps split on the first one, even when encoded.
  for (const [field, value] of [['issuer', issuer], ['account', account]] as const) {
    if (value.length === 0 || value.includes(':')) throw new OtpauthLabelError(`The ${field} must be non-empty and contain no colon.`);
  }
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const parameters = [
    `secret=${encodeURIComponent(secret)}`,
    `issuer=${encodeURIComponent(issuer)}`,
    'algorithm=SHA1',
    `digits=${TOTP_DIGITS}`,
    `period=${TOTP_PERIOD_SECONDS}`,
  ].join('&');
  return `otpauth://totp/${label}?${parameters}`;
}

/**
 * True only for exactly six ASCII digits. Nothing is tolerated, not even surrounding or inner
 * spaces: the contract refuses such codes cleanly, and clients strip formatting before sending.
 */
export function isWellFormedCode(code: unknown): code is string {
  return typeof code === 'string' && CODE_PATTERN.test(code);
}

/** The 30-second time step (RFC 6238's T) that contains `now` (epoch ms). */
export function stepAt(now: number): number {
  return Math.floor(now / PERIOD_MS);
}

/** The code of a given time step. */
export function codeForStep(secret: string, step: number): string {
  return generateSync({
    secret,
    algorithm: 'sha1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    epoch: step * TOTP_PERIOD_SECONDS,
  });
}

/** The code an authenticator shows at `now` (epoch ms); for tests and clients. */
export function codeAt(secret: string, now: number): string {
  return codeForStep(secret, stepAt(now));
}

/**
 * The time step in [current - 1, current + 1] whose code equals `code`, else undefined.
 * Matching is not acceptance: the caller must accept only when the returned step is greater
 * than the account's last used step, and record it with a conditional write, so that no code
 * (of any step) is ever accepted twice.
 */
export function matchStep({ secret, code, now }: { secret: string; code: unknown; now: number }): number | undefined {
  if (!isWellFormedCode(code)) return undefined;
  const presented = Buffer.from(code, 'ascii');
  const current = stepAt(now);
  let matched: number | undefined;
  // Every candidate is computed and compared, so the time taken does not reveal which step matched.
  // Should two steps share a code, the latest wins: recording it also bars that same code later.
  for (let step = current - WINDOW_STEPS; step <= current + WINDOW_STEPS; step++) {
    const expected = Buffer.from(codeForStep(secret, step), 'ascii');
    if (timingSafeEqual(expected, presented)) matched = step;
  }
  return matched;
}
