import { ensureTables, LOCAL_AWS_ENV } from '../../scripts/dev/dynamodb-local';
import { startOffline, type OfflineServer } from '../../scripts/dev/offline';
import { testEnv } from './fixtures';
import { freePort } from '../../scripts/dev/ports';

/**
 * serverless-offline (stage dev) on free ports, against the run's DynamoDB Local (or the one
 * `DYNAMODB_ENDPOINT` names), with a fresh key set and the given overrides (e.g. a 2 s
 * access-token lifetime).
 */
export async function startTestServer(overrides: Record<string, string> = {}): Promise<OfflineServer & { port: number }> {
  const endpoint = overrides.DYNAMODB_ENDPOINT ?? process.env.TEST_DYNAMODB_ENDPOINT!;
  await ensureTables(endpoint, 'dev');
  const env = await testEnv({ JWT_ISSUER: 'http://localhost:3000', JWT_AUDIENCE: 'jwt-auth', LOG_LEVEL: 'warn', LAMBDA_TIMEOUT_SECONDS: '30', ...overrides });
  const port = await freePort();
  const server = await startOffline({
    port,
    // An override of SES_ENDPOINT wins (a server whose email is down).
    env: { ...LOCAL_AWS_ENV, ...(process.env.TEST_SES_ENDPOINT ? { SES_ENDPOINT: process.env.TEST_SES_ENDPOINT } : {}), ...(env as Record<string, string>), DYNAMODB_ENDPOINT: endpoint },
  });
  return { ...server, port };
}
