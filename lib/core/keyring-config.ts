import { readSecretKey, type Env } from './settings';

/** The server keys of keyed hashes (refresh and one-time tokens, cursors); `previous` during a rotation. */
export interface HashKeyConfig {
  readonly current: Buffer;
  readonly previous: Buffer | undefined;
}

export function loadHashKeys(env: Env): HashKeyConfig {
  const previous = env.REFRESH_TOKEN_PREVIOUS_HASH_KEY?.trim() ? readSecretKey(env, 'REFRESH_TOKEN_PREVIOUS_HASH_KEY') : undefined;
  return Object.freeze({ current: readSecretKey(env, 'REFRESH_TOKEN_HASH_KEY'), previous });
}
