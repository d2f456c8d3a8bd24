import { ConfigError } from '../../lib/core/errors';
import { resolveSecrets } from '../../lib/aws/secrets';

describe('secrets from SSM Parameter Store', () => {
  const parameters = new Map([
    ['/jwt-auth/prod/jwt-private-key', '{"kty":"EC"}'],
    ['/jwt-auth/prod/refresh-token-hash-key', 'hash-key-value'],
  ]);
  const fetched: string[] = [];
  const fetchParameter = async (name: string) => {
    fetched.push(name);
    if (!parameters.has(name)) throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
    return parameters.get(name);
  };
  beforeEach(() => (fetched.length = 0));

  it('fills each secret from the parameter its *_PARAMETER variable names', async () => {
    const env = await resolveSecrets(
      { JWT_PRIVATE_KEY_PARAMETER: '/jwt-auth/prod/jwt-private-key', REFRESH_TOKEN_HASH_KEY_PARAMETER: '/jwt-auth/prod/refresh-token-hash-key', OTHER: 'x' },
      fetchParameter,
    );
    expect(env).toMatchObject({ JWT_PRIVATE_KEY: '{"kty":"EC"}', REFRESH_TOKEN_HASH_KEY: 'hash-key-value', OTHER: 'x' });
    expect(fetched.sort()).toEqual(['/jwt-auth/prod/jwt-private-key', '/jwt-auth/prod/refresh-token-hash-key']);
  });

  it('keeps a value given directly (local development) and fetches nothing for it', async () => {
    const env = await resolveSecrets({ JWT_PRIVATE_KEY: 'local', JWT_PRIVATE_KEY_PARAMETER: '/jwt-auth/prod/jwt-private-key' }, fetchParameter);
    expect(env.JWT_PRIVATE_KEY).toBe('local');
    expect(fetched).toEqual([]);
  });

  it('reads only the secrets a function asks for (the authorizer never reads the hash key)', async () => {
    const env = { JWT_PRIVATE_KEY_PARAMETER: '/jwt-auth/prod/jwt-private-key', REFRESH_TOKEN_HASH_KEY_PARAMETER: '/jwt-auth/prod/refresh-token-hash-key' };
    await expect(resolveSecrets(env, fetchParameter, [])).resolves.toEqual(env);
    expect(fetched).toEqual([]);
    const hs256 = await resolveSecrets(env, fetchParameter, ['JWT_PRIVATE_KEY']);
    expect(hs256.REFRESH_TOKEN_HASH_KEY).toBeUndefined();
    expect(fetched).toEqual(['/jwt-auth/prod/jwt-private-key']);
  });

  it('stops with a message naming the parameter when it is missing or empty, never falling back', async () => {
    const missing = resolveSecrets({ JWT_PRIVATE_KEY_PARAMETER: '/jwt-auth/staging/jwt-private-key' }, fetchParameter);
    await expect(missing).rejects.toThrow(ConfigError);
    await expect(missing).rejects.toThrow(/JWT_PRIVATE_KEY_PARAMETER.*\/jwt-auth\/staging\/jwt-private-key/);
    const empty = resolveSecrets({ REFRESH_TOKEN_HASH_KEY_PARAMETER: '/empty' }, async () => '  ');
    await expect(empty).rejects.toThrow(/REFRESH_TOKEN_HASH_KEY_PARAMETER.*\/empty.*empty/);
  });
});
