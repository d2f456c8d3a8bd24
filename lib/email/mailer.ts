import { remainingMs } from '../core/deadline';
import type { EmailMessage } from './messages';

/** The port every email goes through; adapters: memory (tests) and SES (lib/aws/ses-mailer.ts). */
export interface Mailer {
  /** Hands the message to the mail service; throws EmailSendError when it was not accepted. */
  send(message: EmailMessage): Promise<void>;
}

/** The mail service did not accept a message. The cause is kept for the log, never shown to a client. */
export class EmailSendError extends Error {
  override readonly name = 'EmailSendError';
  /**
   * True when the message may have gone out all the same: the request was made but no answer
   * came (given up at its deadline, or the connection broke). False when it surely did not (the
   * service refused it, or could not be reached at all).
   */
  readonly mayHaveBeenSent: boolean;

  /**
   * The provider's error is kept by name (and HTTP status) only: its message may quote the
   * recipient's address (SES's MessageRejected does), and this error reaches the logs.
   */
  constructor(message: string, options?: { cause?: unknown; mayHaveBeenSent?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: withoutMessage(options.cause) });
    this.mayHaveBeenSent = options?.mayHaveBeenSent ?? false;
  }
}

function withoutMessage(cause: unknown): Error {
  const name = cause instanceof Error ? cause.name : typeof cause;
  const { $metadata, code } = (cause ?? {}) as { $metadata?: { httpStatusCode?: number }; code?: unknown };
  const details = [typeof code === 'string' ? code : undefined, $metadata?.httpStatusCode === undefined ? undefined : `HTTP ${$metadata.httpStatusCode}`].filter(Boolean);
  const sanitized = new Error(details.length ? `${name} (${details.join(', ')})` : name);
  sanitized.name = name;
  return sanitized;
}

export interface MemoryMailer extends Mailer {
  /** Every message accepted so far, oldest first. */
  readonly sent: readonly EmailMessage[];
  /** The newest message to `to`, if any. */
  lastTo(to: string): EmailMessage | undefined;
  /** Until called again with `undefined`, every send fails with an EmailSendError caused by `cause`. */
  failWith(cause: Error | undefined): void;
  /**
   * Until called with `false`, every send waits for the current deadline (lib/core/deadline.ts)
   * and then fails, as the SES mailer does when SES does not answer; without a deadline it waits
   * 30 s, as a send with no deadline would wait for a hung SES.
   */
  stall(stalled: boolean): void;
  clear(): void;
}

/** An in-memory Mailer that records what it is given, for unit tests of the services. */
export function createMemoryMailer(): MemoryMailer {
  const sent: EmailMessage[] = [];
  let failure: Error | undefined;
  let stalled = false;
  return {
    sent,
    async send(message) {
      if (stalled) {
        await new Promise((resolve) => setTimeout(resolve, remainingMs() ?? 30_000).unref());
        throw new EmailSendError('Sending an email failed', { cause: Object.assign(new Error('Request aborted'), { name: 'AbortError' }), mayHaveBeenSent: true });
      }
      if (failure) throw new EmailSendError('Sending an email failed', { cause: failure });
      sent.push(message);
    },
    lastTo: (to) => sent.findLast((message) => message.to === to),
    failWith(cause) {
      failure = cause;
    },
    stall(value) {
      stalled = value;
    },
    clear() {
      sent.length = 0;
    },
  };
}
