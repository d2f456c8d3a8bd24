import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The time by which the work in progress must be done, carried with it: the HTTP wrapper and the
 * authorizer set it from the Lambda's remaining time, a step that must leave room for what comes
 * after it narrows it, and every AWS call (lib/aws/aws-call-limits.ts) is abandoned when it
 * passes. It travels in an AsyncLocalStorage rather than as a parameter of every store method, so
 * the stores' ports stay free of it; each invocation (and each concurrent request of a local
 * server) sees only its own.
 *
 * Deadlines are epoch milliseconds of the real clock (`Date.now()`), like the Lambda's remaining
 * time they come from; an injected test clock does not move them.
 */

const current = new AsyncLocalStorage<number>();

/** Runs `work` with a deadline no later than `deadline` (an enclosing, earlier deadline still wins). */
export function withDeadline<T>(deadline: number, work: () => T): T {
  const outer = current.getStore();
  return current.run(outer === undefined ? deadline : Math.min(outer, deadline), work);
}

/** The deadline `ms` from now, on the clock deadlines use. */
export const deadlineIn = (ms: number): number => Date.now() + ms;

/** Runs `work` so that it ends `reserveMs` before the enclosing deadline, leaving that long for what follows it; without a deadline, as it is. */
export function leavingReserve<T>(reserveMs: number, work: () => T): T {
  const outer = current.getStore();
  return outer === undefined ? work() : current.run(outer - reserveMs, work);
}

/** The deadline of the work in progress, if any. */
export const currentDeadline = (): number | undefined => current.getStore();

/** Milliseconds left before the deadline (0 once passed), or undefined when there is none. */
export function remainingMs(now: number = Date.now()): number | undefined {
  const deadline = current.getStore();
  return deadline === undefined ? undefined : Math.max(0, deadline - now);
}

/** The deadline of one Lambda invocation: its remaining time less a margin for answering. */
export function invocationDeadline(context: { getRemainingTimeInMillis(): number }, marginMs: number, now: number = Date.now()): number {
  return now + context.getRemainingTimeInMillis() - marginMs;
}

/** The deadline has passed: the work was abandoned. Never retried by the AWS SDK (not a transient error). */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
  constructor() {
    super('The deadline of this request passed before the call could be made');
  }
}
