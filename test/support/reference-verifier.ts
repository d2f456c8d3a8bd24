import { calculateJwkThumbprint, importJWK, jwtVerify, type CryptoKey, type JWK } from 'jose';
import type { Clock } from '../../lib/core/clock';
import type { Jwk, TokenConfig } from '../../lib/core/config';

/**
 * The differential oracle: jose's jwtVerify with every option set, plus the service's policy on
 * what jose leaves open (strict compact form, header members, claim types), written here
 * independently of lib/tokens/access-token-verifier.ts. Only its accept/refuse decision and the
 * principal count; which check refused a token is the real verifier's business.
 */

export interface ReferencePrincipal {
  readonly sub: string;
  readonly sid: string;
  readonly scope: string;
  readonly amr: readonly string[];
  readonly roles: readonly string[];
  readonly authTime: number | undefined;
  readonly jti: string;
  readonly exp: number;
}

export type ReferenceOutcome = { readonly accepted: ReferencePrincipal } | { readonly refused: true };

export interface ReferenceVerifierOptions {
  readonly maxTokenAgeSeconds: number;
  readonly clockSkewSeconds: number;
  readonly clock: Clock;
}

const NEVER_HONOURED = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'crit', 'b64', 'zip', 'enc'];
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const REFUSED: ReferenceOutcome = { refused: true };

/** Imports the configured keys with jose (kid, else jose's RFC 7638 thumbprint) and returns the oracle. */
export async function createReferenceVerifier(config: TokenConfig, options: ReferenceVerifierOptions): Promise<(token: string) => Promise<ReferenceOutcome>> {
  const keys = new Map<string, CryptoKey | Uint8Array>();
  for (const jwk of [...(config.privateJwk ? [config.privateJwk] : []), ...config.extraVerificationJwks]) {
    const kid = typeof jwk.kid === 'string' && jwk.kid ? jwk.kid : await calculateJwkThumbprint(publicPart(jwk) as JWK);
    if (!keys.has(kid)) keys.set(kid, await importJWK(publicPart(jwk) as JWK, config.algorithm));
  }
  return async (token) => {
    if (!isStrictCompact(token)) return REFUSED;
    const [headerSegment, payloadSegment] = token.split('.') as [string, string, string];
    const header = jsonObjectOf(headerSegment);
    if (!header || !jsonObjectOf(payloadSegment) || NEVER_HONOURED.some((member) => member in header)) return REFUSED;
    const key = typeof header.kid === 'string' ? keys.get(header.kid) : undefined;
    if (!key) return REFUSED;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: [config.algorithm],
        issuer: config.issuer,
        audience: config.audience,
        typ: 'at+jwt',
        requiredClaims: ['exp', 'iat', 'sub', 'sid', 'jti'],
        maxTokenAge: options.maxTokenAgeSeconds,
        clockTolerance: options.clockSkewSeconds,
        currentDate: new Date(options.clock.now()),
      }));
    } catch {
      return REFUSED;
    }
    const principal = principalOf(payload);
    return principal ? { accepted: principal } : REFUSED;
  };
}

/** Three segments that survive a base64url decode and re-encode unchanged, at most 8 KiB. */
function isStrictCompact(token: string): boolean {
  const segments = token.split('.');
  return (
    token.length <= 8192 &&
    segments.length === 3 &&
    segments.every((segment) => /^[A-Za-z0-9_-]+$/.test(segment) && Buffer.from(segment, 'base64url').toString('base64url') === segment)
  );
}

function jsonObjectOf(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(strictUtf8.decode(Buffer.from(segment, 'base64url')));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The policy on claim types that jose does not apply; undefined when the token breaks it. */
function principalOf(payload: Record<string, unknown>): ReferencePrincipal | undefined {
  const { sub, sid, jti, scope, amr, roles, exp, iat, nbf, aud, auth_time: authTime } = payload;
  const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
  if (!isText(sub) || !isText(sid) || !isText(jti)) return undefined;
  if (scope !== undefined && typeof scope !== 'string') return undefined;
  if (amr !== undefined && !(Array.isArray(amr) && amr.length <= 16 && amr.every((value) => typeof value === 'string' && /^[!-~]{1,32}$/.test(value)))) return undefined;
  if (roles !== undefined && !(Array.isArray(roles) && roles.length <= 16 && roles.every((value) => typeof value === 'string' && /^[a-z][a-z0-9_-]{0,31}$/.test(value)))) return undefined;
  if (![exp, iat].every(Number.isFinite) || (nbf !== undefined && !Number.isFinite(nbf))) return undefined;
  if (authTime !== undefined && !Number.isFinite(authTime)) return undefined;
  if (Array.isArray(aud) && !aud.every((value) => typeof value === 'string')) return undefined;
  return { sub, sid, scope: scope ?? '', amr: (amr as string[] | undefined) ?? [], roles: (roles as string[] | undefined) ?? [], authTime: authTime as number | undefined, jti, exp: exp as number };
}

function publicPart(jwk: Jwk): Jwk {
  if (jwk.kty === 'oct') return { kty: 'oct', k: jwk.k };
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, kid: _kid, alg: _alg, use: _use, key_ops: _ops, ext: _ext, ...rest } = jwk;
  return rest;
}
