import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';

/**
 * The email outbox: an email that could not be sent is kept and sent again later, by a scheduled
 * function (handlers/email-outbox.ts, every minute), instead of being lost.
 *
 * What is kept is the *intent* (which email, for which account, about what moment), never the
 * message: a message may carry a one-time link, and a stored link would be a usable secret in
 * plain text. A retry composes the email again from the account as it is then, minting a fresh
 * link where the email has one (the older link, if any, is superseded as usual).
 *
 * One entry per account and kind: a newer failure of the same email replaces the older entry.
 * A retry first claims its entry with one conditional write, so two overlapping runs never send
 * the same email twice. An entry that failed `MAX_ATTEMPTS` times, or outlived its kind's
 * `maxAgeMs`, is given up: the `email_abandoned` event, counted by the EmailAbandoned metric and
 * its alarm.
 */

/** The emails that go through the outbox; other modules add theirs with a resender (`EmailResenders`). */
export type OutboxEmailKind = 'verify_email' | 'reset_password' | 'password_changed';

export interface EmailIntent {
  readonly kind: OutboxEmailKind;
  readonly userId: string;
  /** When what the email reports happened (a password change), epoch ms. */
  readonly at: number;
}

export interface PendingEmail extends EmailIntent {
  /** Sends tried so far, the first one (at the request) included. */
  readonly attempts: number;
  /** When the first send failed: the entry's identity, and the start of its age. */
  readonly firstFailedAt: number;
  /** Not retried before this (epoch ms). */
  readonly dueAt: number;
}

export interface EmailOutbox {
  /** Keeps an email whose send failed, due at `dueAt` (at once by default); replaces a pending entry of the same kind and account. */
  keep(intent: EmailIntent, now: number, dueAt?: number): Promise<void>;
  /** Entries due by `now`, at most `limit`. */
  due(now: number, limit: number): Promise<PendingEmail[]>;
  /**
   * Takes an entry for one retry: counts the attempt and moves `dueAt` to `leaseUntil`, in one
   * conditional write that holds only while the entry is still the one read. Undefined when
   * another run took it, or a newer failure replaced it.
   */
  claim(entry: PendingEmail, leaseUntil: number): Promise<PendingEmail | undefined>;
  /** After a failed retry: due again at `dueAt` (only while the entry is still the claimed one). */
  postpone(claimed: PendingEmail, dueAt: number): Promise<void>;
  /** Sent, obsolete or given up: removed (only while the entry is still the claimed one). */
  remove(claimed: PendingEmail): Promise<void>;
}

/**
 * Sends the email of an entry again, composed afresh. `obsolete` when there is nothing to send
 * any more (the account is gone, the address already verified, a newer email went out); throws
 * when the send failed.
 */
export type EmailResender = (entry: PendingEmail) => Promise<'sent' | 'obsolete'>;
export type EmailResenders = Readonly<Record<OutboxEmailKind, EmailResender>>;

/** Attempts in all, the first one included: with the back-off below, about two hours of retries. */
export const MAX_ATTEMPTS = 8;

/** How long an email is still worth sending after its first failure. */
export const MAX_AGE_MS: Readonly<Record<OutboxEmailKind, number>> = {
  // A reset link that arrives hours after the request surprises more than it helps; the person asks again.
  reset_password: 60 * 60_000,
  verify_email: 24 * 60 * 60_000,
  password_changed: 24 * 60 * 60_000,
};

/** How long a claimed entry is left alone: longer than the retry function may run. */
export const CLAIM_LEASE_MS = 5 * 60_000;

/** Entries are deleted by DynamoDB's TTL this long after their first failure, whatever became of them. */
export const ENTRY_TTL_MS = 2 * 24 * 60 * 60_000;

/** Back-off after the n-th failed attempt (n ≥ 2; the first is retried at the next run): 2, 4, 8... minutes, at most an hour. */
export const retryDelayMs = (attempts: number): number => Math.min(60, 2 ** (attempts - 1)) * 60_000;

/** Entries read at a time; a run reads batch after batch while there is time. */
const BATCH = 25;

export interface OutboxRetryDeps {
  readonly clock: Clock;
  readonly outbox: EmailOutbox;
  readonly resenders: EmailResenders;
  readonly logger: Logger;
}

export interface OutboxRunSummary {
  readonly sent: number;
  readonly obsolete: number;
  readonly postponed: number;
  readonly abandoned: number;
}

/**
 * One run of the retry function: every due entry is sent again, postponed or given up, batch
 * after batch, until none is due or `stopAt` (epoch ms) has come; the rest waits for the next run.
 */
export async function retryDueEmails(deps: OutboxRetryDeps, { stopAt }: { stopAt?: number | undefined } = {}): Promise<OutboxRunSummary> {
  const { clock, outbox } = deps;
  const summary = { sent: 0, obsolete: 0, postponed: 0, abandoned: 0 };
  for (;;) {
    const batch = await outbox.due(clock.now(), BATCH);
    let claimedAny = false;
    for (const entry of batch) {
      if (stopAt !== undefined && clock.now() >= stopAt) return summary;
      const claimed = await outbox.claim(entry, clock.now() + CLAIM_LEASE_MS);
      if (!claimed) continue;
      claimedAny = true;
      await retryOne(deps, claimed, summary);
    }
    // A short batch was the last; a batch of entries all taken by another run leaves them to it.
    if (batch.length < BATCH || !claimedAny) return summary;
  }
}

/** Sends one claimed entry again, or postpones it, or gives it up. */
async function retryOne(deps: OutboxRetryDeps, claimed: PendingEmail, summary: { -readonly [K in keyof OutboxRunSummary]: number }): Promise<void> {
  const { clock, outbox, logger } = deps;
  const fields = { userId: claimed.userId, kind: claimed.kind, attempts: claimed.attempts };
  if (clock.now() - claimed.firstFailedAt > MAX_AGE_MS[claimed.kind]) {
    await abandon(deps, claimed, 'too old');
    summary.abandoned++;
    return;
  }
  let outcome: 'sent' | 'obsolete' | 'failed';
  try {
    outcome = await deps.resenders[claimed.kind](claimed);
  } catch (error) {
    logger.warn('an email of the outbox could not be sent again', { ...fields, errorName: error instanceof Error ? error.name : typeof error });
    outcome = 'failed';
  }
  if (outcome === 'failed' && claimed.attempts >= MAX_ATTEMPTS) {
    await abandon(deps, claimed, 'too many attempts');
    summary.abandoned++;
  } else if (outcome === 'failed') {
    await outbox.postpone(claimed, clock.now() + retryDelayMs(claimed.attempts));
    summary.postponed++;
  } else {
    await outbox.remove(claimed);
    if (outcome === 'sent') logger.info('an email of the outbox was sent', fields);
    summary[outcome]++;
  }
}

async function abandon({ outbox, logger }: OutboxRetryDeps, claimed: PendingEmail, reason: string): Promise<void> {
  await outbox.remove(claimed);
  logger.error('an email was given up', { userId: claimed.userId, kind: claimed.kind, attempts: claimed.attempts, reason });
  logger.security('email_abandoned', { userId: claimed.userId, kind: claimed.kind });
}
