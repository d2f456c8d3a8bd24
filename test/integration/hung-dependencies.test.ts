import { randomUUID } from 'node:crypto';
import { DYNAMODB_LIMITS, SES_LIMITS } from '../../lib/aws/aws-call-limits';
import { createDocumentClient } from '../../lib/aws/dynamodb';
import { createDynamoDbUserStore } from '../../lib/aws/dynamodb-user-store';
import { createSesMailer } from '../../lib/aws/ses-mailer';
import { withDeadline } from '../../lib/core/deadline';
import { ServiceUnavailableError } from '../../lib/core/errors';
import { EmailSendError } from '../../lib/email/mailer';
import { verificationEmail } from '../../lib/email/messages';
import { ensureTables, startDynamoDbLocal, type DynamoDbLocal } from '../../scripts/dev/dynamodb-local';
import { freePort } from '../../scripts/dev/ports';
import { startSesLocal, type SesLocal } from '../../scripts/dev/ses-local';
import { waitForEmail } from '../support/inbox';

// A DynamoDB Local and an SES emulator of this file's own, paused with SIGSTOP (a process that
// accepts connections and never answers) and resumed with SIGCONT; other test files never see it.
describe('AWS calls against a store and a mail service that do not answer', () => {
  let dynamo: DynamoDbLocal;
  let ses: SesLocal;
  let tables: Awaited<ReturnType<typeof ensureTables>>;
  const paused = new Set<number>();
  const pause = (pid: number) => (process.kill(pid, 'SIGSTOP'), paused.add(pid));
  const resume = (pid: number) => (process.kill(pid, 'SIGCONT'), paused.delete(pid));

  beforeAll(async () => {
    [dynamo, ses] = await Promise.all([startDynamoDbLocal({ port: await freePort() }), startSesLocal({ port: await freePort() })]);
    tables = await ensureTables(dynamo.endpoint, 'hung');
  }, 60_000);
  afterEach(() => paused.forEach(resume));
  afterAll(async () => {
    paused.forEach(resume);
    await Promise.all([dynamo?.stop(), ses?.stop()]);
  });

  const elapsedOf = async (work: () => Promise<unknown>) => {
    const started = Date.now();
    const error = await work().then(() => undefined, (caught: unknown) => caught);
    return { error, ms: Date.now() - started };
  };

  it('a DynamoDB call is abandoned within its budget (all attempts together) and becomes ServiceUnavailableError; the store works again once resumed', async () => {
    const users = createDynamoDbUserStore(createDocumentClient({ endpoint: dynamo.endpoint }), tables.usersTable);
    await users.findByEmail('warm-up@example.com');
    pause(dynamo.pid);

    const { error, ms } = await elapsedOf(() => users.findByEmail('someone@example.com'));

    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(ms).toBeGreaterThanOrEqual(DYNAMODB_LIMITS.attemptMs);
    expect(ms).toBeLessThan(DYNAMODB_LIMITS.callBudgetMs + 1_000);
    resume(dynamo.pid);
    await expect(users.findByEmail('someone@example.com')).resolves.toBeUndefined();
  }, 20_000);

  it('an earlier deadline of the work in progress cuts the call shorter than its budget', async () => {
    const users = createDynamoDbUserStore(createDocumentClient({ endpoint: dynamo.endpoint }), tables.usersTable);
    await users.findById('warm-up');
    pause(dynamo.pid);

    const { error, ms } = await elapsedOf(() => withDeadline(Date.now() + 400, () => users.findById('someone')));

    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).cause).toMatchObject({ name: 'AbortError' });
    expect(ms).toBeLessThan(DYNAMODB_LIMITS.attemptMs);
  }, 20_000);

  it('an SES send is abandoned within its budget as EmailSendError; once resumed, the next send arrives', async () => {
    const mailer = createSesMailer({ from: 'no-reply@auth.test', endpoint: ses.endpoint, region: 'us-east-1' });
    const message = (to: string) => verificationEmail({ to, link: `https://app.test/?action=verify-email#token=${randomUUID()}`, expiresInSeconds: 60, serviceName: 'Acme' });
    await mailer.send(message(`warm-${randomUUID()}@example.com`));
    pause(ses.pid);

    const { error, ms } = await elapsedOf(() => mailer.send(message(`stalled-${randomUUID()}@example.com`)));

    expect(error).toBeInstanceOf(EmailSendError);
    expect(ms).toBeLessThan(SES_LIMITS.callBudgetMs + 1_000);
    resume(ses.pid);
    const to = `after-${randomUUID()}@example.com`;
    await mailer.send(message(to));
    await expect(waitForEmail(ses.endpoint, { to })).resolves.toMatchObject({ subject: expect.stringContaining('Confirm') });
  }, 20_000);
});
