import { jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from './clock';
import type { VerificationKeySet } from './keys';
import { ACCESS_TOKEN_TYPE } from './access-token';

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
// Header members that carry or point at keys, or change how the payload is read; we trust none.
const FORBIDDEN_HEADER_MEMBERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'crit', 'b64', 'zip', 'enc'];
const REQUIRED_CLAIMS = ['exp', 'iat', 'sub', 'sid', 'jti'];

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
        requiredClaims: REQUIRED_CLAIMS,
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

/** Checks the strict compact form and the header; shared by every verification path. */
export function checkCompactForm(token: string): Record<string, unknown> {
  if (token.length > 8192 || !COMPACT_JWS.test(token)) throw new AccessTokenRejectedError('not a compact JWS');
  const segments = token.split('.');
  for (const segment of segments) {
    // Reject non-canonical base64url (unused trailing bits set), which decoders silently accept.
    if (segment.length % 4 === 1 || Buffer.from(segment, 'base64url').toString('base64url') !== segment) {
      throw new AccessTokenRejectedError('non-canonical base64url');
    }
  }
  const header = parseJsonObject(segments[0]!);
  if (!header) throw new AccessTokenRejectedError('header is not a JSON object');
  for (const member of FORBIDDEN_HEADER_MEMBERS) {
    if (member in header) throw new AccessTokenRejectedError(`header member ${member} is not accepted`);
  }
  return header;
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
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function errorCode(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.name : 'unknown';
}
