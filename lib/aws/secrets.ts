import { SSMClient } from '@aws-sdk/client-ssm';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { Env } from '../core/config';
import { ConfigError } from '../core/errors';
import { awsClientSettings, limitEveryCall, SSM_LIMITS } from './aws-call-limits';

/** Variables that hold secrets; on AWS each comes from the SSM SecureString named by `<NAME>_PARAMETER`. */
export const SECRET_VARIABLES = ['JWT_PRIVATE_KEY', 'REFRESH_TOKEN_HASH_KEY', 'REFRESH_TOKEN_PREVIOUS_HASH_KEY'] as const;
export type SecretVariable = (typeof SECRET_VARIABLES)[number];

export type ParameterFetcher = (name: string) => Promise<string | undefined>;

let ssm: SSMProvider | undefined;
/** Reads through one SSM client per container, kept to SSM_LIMITS and the current deadline. */
const fetchFromSsm: ParameterFetcher = (name) => {
  ssm ??= new SSMProvider({ awsSdkV3Client: limitEveryCall(new SSMClient(awsClientSettings(SSM_LIMITS)), SSM_LIMITS) });
  return ssm.get(name, { decrypt: true, maxAge: 300 });
};

/**
 * Returns the environment with secrets filled in from SSM Parameter Store, read once at cold
 * start, so no secret sits in a plain Lambda environment variable. A value given directly (local
 * development) wins. A parameter that is named but cannot be read stops the function with a
 * message naming it; there is no fallback key.
 */
export async function resolveSecrets(
  env: Env,
  fetchParameter: ParameterFetcher = fetchFromSsm,
  variables: readonly SecretVariable[] = SECRET_VARIABLES,
): Promise<Env> {
  const resolved: Env = { ...env };
  await Promise.all(
    variables.map(async (variable) => {
      if (env[variable]?.trim()) return;
      const parameterVariable = `${variable}_PARAMETER`;
      const parameter = env[parameterVariable]?.trim();
      if (!parameter) return;
      let value: string | undefined;
      try {
        value = await fetchParameter(parameter);
      } catch (error) {
        throw new ConfigError(parameterVariable, `names the SSM parameter "${parameter}", which could not be read (${(error as Error).name}); create it with \`npm run keys -- --stage <stage> --apply\``);
      }
      if (!value?.trim()) throw new ConfigError(parameterVariable, `names the SSM parameter "${parameter}", which is empty`);
      resolved[variable] = value;
    }),
  );
  return resolved;
}
