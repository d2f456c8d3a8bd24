import { jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from '../core/clock';
import type { VerificationKeySet } from './keys';
import { ACCESS_TOKEN_TYPE } from './access-token-issuer';

/** The caller an access token speaks for, once every check has passed. */
export interface AccessTokenPrincipal {
  readonly sub: string;
  readonly sid: string;
  readonly scope: string;
  readonly jti: string;
  readonly exp: number;
}

/** Raised for every rejected token; the reason is for logs and tests, never for the client. */
export class AccessTokenRejectedError extends Error {
  constructor(readonly reason: string, options?: { cause?: unknown }) {
    super(`access token rejected: ${reason}`, options);
  }
}

export interface AccessTokenVerifierOptions {
  readonly keySet: VerificationKeySet;
  readonly issuer: string;
  readonly audience: string;
  readonly maxTokenAgeSeconds: number;
  readonly clockSkewSeconds: number;
  readonly clock: Clock;
}

export type AccessTokenVerifier = (token: string) => Promise<AccessTokenPrincipal>;

// Three base64url segments, no padding, no white space: rejects what jose would tolerate.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 8192;
const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// Header members that carry or point at keys, or change how the payload is read; we trust none.
const FORBIDDEN_HEADER_MEMBERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'crit', 'b64', 'zip', 'enc'];
/** Claims every access token must carry (jose adds iss, aud and, with maxTokenAge, iat). */
export const REQUIRED_CLAIMS: readonly string[] = ['exp', 'iat', 'sub', 'sid', 'jti'];
// Like jose: invalid UTF-8 is an error, not U+FFFD; a leading BOM is dropped.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const { keySet, issuer, audience, maxTokenAgeSeconds, clockSkewSeconds, clock } = options;
  return async (token) => {
    const header = checkCompactForm(token);
    const key = typeof header.kid === 'string' ? keySet.keys.get(header.kid) : undefined;
    if (!key) throw new AccessTokenRejectedError('unknown kid');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: [keySet.algorithm],
        issuer,
        audience,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: [...REQUIRED_CLAIMS],
        maxTokenAge: maxTokenAgeSeconds,
        clockTolerance: clockSkewSeconds,
        currentDate: new Date(clock.now()),
      }));
    } catch (error) {
      // jose reports algorithm confusion and key misuse as TypeError/DOMException, not JOSEError.
      throw new AccessTokenRejectedError(errorCode(error), { cause: error });
    }
    return toPrincipal(payload);
  };
}

/**
 * Checks the strict compact form and the header; shared by every verification path.
 * `knownHeaders` holds header segments that already passed these checks (and, in the fast
 * verifier, belonged to a token that verified): their decoding is skipped, nothing else is.
 */
export function checkCompactForm(token: string, knownHeaders?: ReadonlyMap<string, Readonly<Record<string, unknown>>>): Readonly<Record<string, unknown>> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
    throw new AccessTokenRejectedError('not a compact JWS');
  }
  const first = token.indexOf('.');
  const last = token.lastIndexOf('.');
  if (!isCanonicalBase64url(token, 0, first) || !isCanonicalBase64url(token, first + 1, last) || !isCanonicalBase64url(token, last + 1, token.length)) {
    throw new AccessTokenRejectedError('non-canonical base64url');
  }
  const known = knownHeaders?.get(token.slice(0, first));
  if (known) return known;
  const header = parseJsonObject(token.slice(0, first));
  if (!header) throw new AccessTokenRejectedError('header is not a JSON object');
  for (const member of FORBIDDEN_HEADER_MEMBERS) {
    if (member in header) throw new AccessTokenRejectedError(`header member ${member} is not accepted`);
  }
  return header;
}

/**
 * Decoders silently accept a segment whose unused trailing bits are set, so several strings decode
 * to one signature. Only the encoding with those bits zero is canonical (text[start, end) is known
 * to hold base64url characters only).
 */
function isCanonicalBase64url(text: string, start: number, end: number): boolean {
  const remainder = (end - start) % 4;
  if (remainder === 0) return true;
  if (remainder === 1) return false;
  const value = BASE64URL_ALPHABET.indexOf(text[end - 1]!);
  return (value & (remainder === 2 ? 0b1111 : 0b11)) === 0;
}

/** Claims the authorizer hands on must be strings; anything else is a malformed token. */
export function toPrincipal(payload: JWTPayload): AccessTokenPrincipal {
  const { sub, sid, scope, jti, exp } = payload as Record<string, unknown>;
  if (typeof sub !== 'string' || !sub) throw new AccessTokenRejectedError('sub is not a string');
  if (typeof sid !== 'string' || !sid) throw new AccessTokenRejectedError('sid is not a string');
  if (typeof jti !== 'string' || !jti) throw new AccessTokenRejectedError('jti is not a string');
  if (scope !== undefined && typeof scope !== 'string') throw new AccessTokenRejectedError('scope is not a string');
  return { sub, sid, scope: scope ?? '', jti, exp: exp as number };
}

function parseJsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(strictUtf8.decode(Buffer.from(segment, 'base64url')));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function errorCode(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.name : 'unknown';
}
