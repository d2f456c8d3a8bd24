import { randomBytes } from 'node:crypto';
import { createSesMailer } from '../../lib/aws/ses-mailer';
import { EmailSendError } from '../../lib/email/mailer';
import { actionLink, passwordResetEmail } from '../../lib/email/messages';
import { freePort } from '../../scripts/dev/ports';
import { linkIn, tokenOfLink, waitForEmail } from '../support/inbox';

const endpoint = process.env.TEST_SES_ENDPOINT!;
const FROM = 'no-reply@auth.test';

const uniqueAddress = () => `ses-${randomBytes(6).toString('hex')}@example.com`;

describe('SES mailer against the local SES v2 emulator', () => {
  it('sends a text and an HTML part that arrive intact, with the token in the link fragment', async () => {
    const mailer = createSesMailer({ from: FROM, endpoint, region: 'us-east-1' });
    const to = uniqueAddress();
    const token = randomBytes(24).toString('base64url');
    const message = passwordResetEmail({
      to,
      link: actionLink('http://localhost:3000/dev/demo?lang=en', 'reset-password', token),
      expiresInSeconds: 3600,
      serviceName: 'Acme Ütf-8 ✓',
    });
    const before = Date.now();

    await mailer.send(message);
    const email = await waitForEmail(endpoint, { to, subjectIncludes: 'Reset your', after: before });

    expect(email.from).toBe(FROM);
    expect(email.destination.to).toEqual([to]);
    expect(email.subject).toBe(message.subject);
    expect(email.body.text).toBe(message.text);
    expect(email.body.html).toBe(message.html);
    expect(tokenOfLink(linkIn(email))).toBe(token);
    expect(new URL(linkIn(email)).searchParams.get('action')).toBe('reset-password');
  });

  it('turns an unreachable endpoint into EmailSendError and keeps the cause by name, never its message', async () => {
    const closedPort = await freePort();
    const mailer = createSesMailer({ from: FROM, endpoint: `http://127.0.0.1:${closedPort}`, region: 'us-east-1' });
    const message = passwordResetEmail({ to: uniqueAddress(), link: 'https://app.test/#token=x', expiresInSeconds: 60, serviceName: 'Acme' });

    const sending = mailer.send(message);

    await expect(sending).rejects.toThrow(EmailSendError);
    const error = (await sending.catch((caught: unknown) => caught)) as EmailSendError;
    expect(error.name).toBe('EmailSendError');
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).message).not.toContain(message.to);
    expect(error.message).not.toContain(message.to);
  });
});
