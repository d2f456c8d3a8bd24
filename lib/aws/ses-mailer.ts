import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { EmailSendError, type Mailer } from '../email/mailer';
import { awsClientSettings, limitEveryCall, SES_LIMITS } from './aws-call-limits';

export interface SesMailerOptions {
  /** The sender; on AWS a verified SES identity (EMAIL_FROM). */
  readonly from: string;
  /** Locally the SES emulator (SES_ENDPOINT); unset on AWS. */
  readonly endpoint?: string;
  readonly region?: string;
}

/**
 * A Mailer on SES's v2 API (SendEmail, simple content: a UTF-8 text and HTML part). Each send
 * keeps to SES_LIMITS and the current deadline: an SES that does not answer is a failed send.
 * Call it once per cold start: it builds its client once.
 */
export function createSesMailer({ from, endpoint, region }: SesMailerOptions): Mailer {
  const client = limitEveryCall(
    new SESv2Client({
      ...(endpoint ? { endpoint } : {}),
      ...(region ? { region } : {}),
      ...awsClientSettings(SES_LIMITS),
    }),
    SES_LIMITS,
  );
  return {
    async send({ to, subject, text, html }) {
      try {
        await client.send(
          new SendEmailCommand({
            FromEmailAddress: from,
            Destination: { ToAddresses: [to] },
            Content: {
              Simple: {
                Subject: { Data: subject, Charset: 'UTF-8' },
                Body: { Text: { Data: text, Charset: 'UTF-8' }, Html: { Data: html, Charset: 'UTF-8' } },
              },
            },
          }),
        );
      } catch (error) {
        // The recipient stays out of the message: it is logged, and addresses are personal data.
        throw new EmailSendError(`SES SendEmail failed: ${(error as Error).name}`, { cause: error, mayHaveBeenSent: unanswered(error) });
      }
    },
  };
}

/**
 * The request went out and no answer came: SES may have accepted the message. A refusal (an
 * HTTP status), a refused connection or a deadline passed before the call are sure failures.
 */
function unanswered(error: unknown): boolean {
  const { name, code, $metadata } = (error ?? {}) as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if ($metadata?.httpStatusCode !== undefined) return false;
  return name === 'AbortError' || name === 'TimeoutError' || ['ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code ?? '');
}
