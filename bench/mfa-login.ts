/**
 * An MFA login against DynamoDB Local, in process: DynamoDB requests and median time of the
 * password step (cheap argon2 parameters, so the storage work shows) and of the second step
 * (/auth/mfa/verify's work). On AWS the second step also costs one more HTTP round trip and
 * Lambda invocation. Run: `npx tsx bench/mfa-login.ts [runs]`.
 */
import { ensureTables, LOCAL_AWS_ENV, startDynamoDbLocal } from '../scripts/dev/dynamodb-local';
import { freePort } from '../scripts/dev/ports';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(runs: number) {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  try {
    const tables = await ensureTables(dynamo.endpoint, 'bench');
    Object.assign(process.env, LOCAL_AWS_ENV, { TEST_DYNAMODB_ENDPOINT: dynamo.endpoint, TEST_USERS_TABLE: tables.usersTable, TEST_SESSIONS_TABLE: tables.sessionsTable });
    // Imported after the environment is set: the kit reads the table names from it.
    const { createMfaKit } = await import('../test/support/mfa-kit');
    const kit = await createMfaKit('dynamodb');
    const { email, secret } = await kit.enrol();
    const password: number[] = [];
    const second: number[] = [];
    const requests = { password: 0, second: 0 };
    for (let run = 0; run < runs + 3; run++) {
      kit.requests.length = 0;
      let started = performance.now();
      const mfaToken = await kit.loginForToken(email);
      const passwordMs = performance.now() - started;
      requests.password = kit.requests.length;
      kit.requests.length = 0;
      started = performance.now();
      await kit.verify(mfaToken, { code: kit.code(secret) });
      const secondMs = performance.now() - started;
      requests.second = kit.requests.length;
      kit.nextStep();
      if (run >= 3) [password.push(passwordMs), second.push(secondMs)]; // the first runs warm up
    }
    console.log(JSON.stringify({ runs, requests, medianMs: { passwordStep: +median(password).toFixed(1), secondStep: +median(second).toFixed(1) } }));
  } finally {
    await dynamo.stop();
  }
}

main(Number(process.argv[2] ?? 15)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
