import type { Jwk } from '../core/config';

// Free of jose on purpose: the authorizer's fast path uses it too and must not bundle jose.
const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  EC: ['kty', 'crv', 'x', 'y'],
  OKP: ['kty', 'crv', 'x'],
  RSA: ['kty', 'n', 'e'],
};

/** The members that identify a key (RFC 7638): the public ones, or `k` for a secret key. */
export function publicMembersOf(jwk: Jwk): Jwk {
  const members = PUBLIC_MEMBERS[jwk.kty] ?? ['kty', 'k'];
  const result: Jwk = { kty: jwk.kty };
  for (const member of members) if (jwk[member] !== undefined) result[member] = jwk[member];
  return result;
}
