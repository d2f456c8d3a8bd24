import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ID_TOKEN_ALGORITHM, type JwtAlgorithm } from '../../lib/core/config';

/** A new private signing JWK for an algorithm, with a kid that says when it was made. */
export async function generateSigningJwk(algorithm: JwtAlgorithm): Promise<Record<string, unknown>> {
  const kid = `${algorithm.toLowerCase()}-${new Date().toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;
  if (algorithm === 'HS256') return { kty: 'oct', k: randomBytes(32).toString('base64url'), kid, alg: algorithm };
  // Loaded only when a key is made: npm start, which reads its keys from .keys/, starts sooner without it.
  const { exportJWK, generateKeyPair } = await import('jose');
  const { privateKey } = await generateKeyPair(algorithm, { extractable: true, ...(algorithm === 'RS256' ? { modulusLength: 2048 } : {}) });
  return { ...(await exportJWK(privateKey)), kid, alg: algorithm };
}

/** A new private RS256 JWK for ID tokens, whatever the access tokens' algorithm; its kid says what it is for. */
export async function generateIdTokenJwk(): Promise<Record<string, unknown>> {
  const jwk = await generateSigningJwk(ID_TOKEN_ALGORITHM);
  return { ...jwk, kid: `id-${String(jwk.kid)}` };
}

export const generateHashKey = (): string => randomBytes(32).toString('base64url');

/**
 * Local development keys, generated once and kept under `.keys/` (git-ignored) so tokens
 * survive a restart. Values already in the environment win.
 */
export async function localDevKeys(directory: string, algorithm: JwtAlgorithm, env: Record<string, string | undefined>) {
  return {
    JWT_PRIVATE_KEY: env.JWT_PRIVATE_KEY || (await keptKey(directory, `jwt-${algorithm}.json`, async () => JSON.stringify(await generateSigningJwk(algorithm)))),
    REFRESH_TOKEN_HASH_KEY: await localHashKey(directory, env),
    ID_TOKEN_PRIVATE_KEY: env.ID_TOKEN_PRIVATE_KEY || (await keptKey(directory, 'id-token-rs256.json', async () => JSON.stringify(await generateIdTokenJwk()))),
  };
}

/** A key kept in `directory/file`, made (mode 600) when missing. */
async function keptKey(directory: string, file: string, make: () => Promise<string>): Promise<string> {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const path = join(directory, file);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const value = await make();
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return value;
}

/** The local hash key's file under `.keys/`: `npm start` and `npm run clients` (which hashes client secrets with it) share it. */
export const LOCAL_HASH_KEY_FILE = 'refresh-token-hash-key';

/** The hash key of local development (`npm start`'s): the environment's, else `.keys/`'s, made there when missing. */
export async function localHashKey(directory: string, env: Record<string, string | undefined>): Promise<string> {
  return env.REFRESH_TOKEN_HASH_KEY || (await keptKey(directory, LOCAL_HASH_KEY_FILE, async () => generateHashKey()));
}
