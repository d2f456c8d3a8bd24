/**
 * Readers of the contract's response bodies: snake_case JSON in, the client's camelCase types out.
 * Anything the contract does not describe is an `unexpected_response`, never a half-filled object.
 */
import { AuthError } from './errors';
import type { Delivery, Me, Passkey, RegisteredPasskey, SecurityEvent, SecurityEventDetails, SecurityEventPage, Session, SessionPage, TotpEnrolment } from './types';
import type { PasskeyCreationOptionsJSON, PasskeyLoginOptions } from './webauthn';

export type Json = Record<string, unknown>;

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  refresh_token_expires_in: number;
}

export const unexpected = (what: string) =>
  new AuthError('unexpected_response', `The service answered ${what} with something the contract does not describe.`);

export const isString = (value: unknown): value is string => typeof value === 'string';
export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The body as a JSON object, else `unexpected_response` naming the path. */
export async function readJson(response: Response): Promise<Json> {
  try {
    const body: unknown = await response.json();
    if (isObject(body)) return body;
  } catch {
    /* fall through */
  }
  throw unexpected(new URL(response.url || 'http://invalid/').pathname);
}

/** login, refresh, mfa/verify, passkeys/login/verify; with body delivery the refresh token must be there. */
export async function readTokenResponse(response: Response, delivery: Delivery): Promise<TokenResponse> {
  const body = await readJson(response);
  const valid =
    isString(body.access_token) &&
    typeof body.expires_in === 'number' &&
    body.expires_in > 0 &&
    typeof body.refresh_token_expires_in === 'number' &&
    (delivery === 'cookie' || isString(body.refresh_token));
  if (!valid) throw unexpected('a token response');
  return body as unknown as TokenResponse;
}

/** reauthenticate: a new access token for the same session, no refresh token. */
export function accessTokenResponseOf(body: Json): { access_token: string; expires_in: number } {
  if (!isString(body.access_token) || typeof body.expires_in !== 'number' || body.expires_in <= 0) throw unexpected('/auth/reauthenticate');
  return { access_token: body.access_token, expires_in: body.expires_in };
}

function sessionOf(entry: unknown): Session {
  if (!isObject(entry) || !isString(entry.id)) throw unexpected('/auth/sessions');
  return {
    id: entry.id,
    createdAt: String(entry.created_at),
    lastUsedAt: String(entry.last_used_at),
    expiresAt: String(entry.expires_at),
    userAgent: isString(entry.user_agent) ? entry.user_agent : null,
    ip: isString(entry.ip) ? entry.ip : null,
    current: entry.current === true,
  };
}

export function sessionPageOf(body: Json): SessionPage {
  if (!Array.isArray(body.sessions) || (body.next_cursor !== undefined && !isString(body.next_cursor))) throw unexpected('/auth/sessions');
  const sessions = body.sessions.map(sessionOf);
  return isString(body.next_cursor) ? { sessions, nextCursor: body.next_cursor } : { sessions };
}

export function meOf(body: Json): Me {
  const { id, email, email_verified: emailVerified, mfa_enabled: mfaEnabled, session_id: sessionId } = body;
  if (!isString(id) || !isString(email) || typeof emailVerified !== 'boolean' || typeof mfaEnabled !== 'boolean' || !isString(sessionId)) {
    throw unexpected('/me');
  }
  return { id, email, emailVerified, mfaEnabled, sessionId };
}

export function totpEnrolmentOf(body: Json): TotpEnrolment {
  const { secret, otpauth_uri: otpauthUri, qr_svg: qrSvg } = body;
  if (!isString(secret) || !isString(otpauthUri) || !isString(qrSvg)) throw unexpected('/auth/mfa/totp/setup');
  return { secret, otpauthUri, qrSvg };
}

export function recoveryCodesOf(body: Json): string[] {
  const codes = body.recovery_codes;
  if (!Array.isArray(codes) || codes.length === 0 || !codes.every(isString)) throw unexpected('a recovery-code response');
  return codes;
}

export function registeredPasskeyOf(body: Json): RegisteredPasskey {
  if (!isString(body.id) || !isString(body.name) || !isString(body.created_at)) throw unexpected('/auth/passkeys/register/verify');
  return { id: body.id, name: body.name, createdAt: body.created_at };
}

export function passkeysOf(body: Json): Passkey[] {
  if (!Array.isArray(body.passkeys)) throw unexpected('/auth/passkeys');
  return body.passkeys.map((entry: unknown) => {
    if (!isObject(entry) || !isString(entry.id) || !isString(entry.name) || !isString(entry.created_at)) throw unexpected('/auth/passkeys');
    return { id: entry.id, name: entry.name, createdAt: entry.created_at, lastUsedAt: isString(entry.last_used_at) ? entry.last_used_at : null };
  });
}

export function creationOptionsOf(body: Json): PasskeyCreationOptionsJSON {
  if (!isString(body.challenge)) throw unexpected('/auth/passkeys/register/options');
  return body as unknown as PasskeyCreationOptionsJSON;
}

export function passkeyLoginOptionsOf(body: Json): PasskeyLoginOptions {
  if (!isString(body.challenge_id) || !isObject(body.options) || !isString(body.options.challenge)) throw unexpected('/auth/passkeys/login/options');
  return { challengeId: body.challenge_id, options: body.options as unknown as PasskeyLoginOptions['options'] };
}

const stringOrNull = (value: unknown): value is string | null => value === null || isString(value);
const camelCase = (key: string) => key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

function securityEventOf(entry: unknown, path: string): SecurityEvent {
  if (
    !isObject(entry) ||
    !isString(entry.id) ||
    !isString(entry.type) ||
    !isString(entry.time) ||
    !isString(entry.user_id) ||
    !stringOrNull(entry.actor_id) ||
    !stringOrNull(entry.session_id) ||
    !stringOrNull(entry.ip) ||
    !stringOrNull(entry.user_agent) ||
    !isObject(entry.details)
  ) {
    throw unexpected(path);
  }
  // The details are a closed list of flat facts; only their names change case.
  const details = Object.fromEntries(Object.entries(entry.details).map(([key, value]) => [camelCase(key), value])) as SecurityEventDetails;
  return {
    id: entry.id,
    type: entry.type,
    time: entry.time,
    userId: entry.user_id,
    actorId: entry.actor_id,
    sessionId: entry.session_id,
    ip: entry.ip,
    userAgent: entry.user_agent,
    details,
  };
}

/** `GET /me/security-events` and `GET /admin/audit` (`path` names the one that answered). */
export function securityEventPageOf(body: Json, path: string): SecurityEventPage {
  if (!Array.isArray(body.events) || (body.next_cursor !== undefined && !isString(body.next_cursor))) throw unexpected(path);
  const events = body.events.map((entry: unknown) => securityEventOf(entry, path));
  return isString(body.next_cursor) ? { events, nextCursor: body.next_cursor } : { events };
}
