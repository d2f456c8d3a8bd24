import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DeadlineExceededError, remainingMs, withDeadline } from '../core/deadline';

/**
 * How long any one AWS call may take, in one home for DynamoDB, SES and SSM.
 *
 * Three bounds apply to every call, whichever comes first:
 * - each attempt: a connection must open within `connectMs` and an answer start within
 *   `attemptMs` (the SDK's `requestTimeout`, which only logs unless `throwOnRequestTimeout`);
 *   a timed-out attempt is retried, up to `maxAttempts` in all;
 * - the call, all attempts and back-offs together: `callBudgetMs`;
 * - the work it belongs to: the deadline in lib/core/deadline.ts (the Lambda's remaining time
 *   less a margin, or a narrower one, such as forgot-password's response floor).
 *
 * The last two abort the request (an `AbortError`, which the SDK never retries); the stores turn
 * that into `503 service_unavailable`. A store that does not answer therefore fails a request
 * within `callBudgetMs` of the call that hung, however long the Lambda may run.
 */
export interface AwsCallLimits {
  readonly connectMs: number;
  readonly attemptMs: number;
  readonly maxAttempts: number;
  readonly callBudgetMs: number;
}

/**
 * DynamoDB answers in milliseconds; 1.5 s without an answer is a stalled connection or node,
 * worth one more try on a fresh one within the call's budget. Three seconds for the call keeps a
 * hung store's 503 within the contract's 5 s even when the hang comes after the request's earlier
 * calls. (DynamoDB Local on two busy shared cores has taken over a second now and then.)
 */
export const DYNAMODB_LIMITS: AwsCallLimits = Object.freeze({ connectMs: 500, attemptMs: 1_500, maxAttempts: 3, callBudgetMs: 3_000 });

/**
 * SendEmail usually takes 20-100 ms. A registration waits for it (bounded by this), and a failed
 * email goes to the outbox, which retries it later: a long wait here buys little.
 */
export const SES_LIMITS: AwsCallLimits = Object.freeze({ connectMs: 500, attemptMs: 1_000, maxAttempts: 2, callBudgetMs: 1_500 });

/** Secrets are read at cold start; a start-up that fails is retried by a later invocation (lib/compose/runtime.ts). */
export const SSM_LIMITS: AwsCallLimits = Object.freeze({ connectMs: 500, attemptMs: 1_000, maxAttempts: 3, callBudgetMs: 3_000 });

/** What an SDK v3 client takes to keep to `limits`; pass the client to `limitEveryCall` after building it. */
export function awsClientSettings(limits: AwsCallLimits): { requestHandler: DeadlineHttpHandler; maxAttempts: number } {
  return {
    requestHandler: new DeadlineHttpHandler(new NodeHttpHandler({ connectionTimeout: limits.connectMs, requestTimeout: limits.attemptMs, throwOnRequestTimeout: true })),
    maxAttempts: limits.maxAttempts,
  };
}

interface MiddlewareClient {
  readonly middlewareStack: { add(middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>, options: { step: 'initialize'; name: string; priority: 'high' }): void };
}

/** Bounds every call of `client` (all its attempts) by `limits.callBudgetMs` and the current deadline. */
export function limitEveryCall<C>(client: C, limits: AwsCallLimits): C {
  (client as unknown as MiddlewareClient).middlewareStack.add((next) => (args) => withDeadline(Date.now() + limits.callBudgetMs, () => next(args)), {
    step: 'initialize',
    name: 'callDeadline',
    priority: 'high',
  });
  return client;
}

/**
 * The SDK's HTTP handler, with each attempt aborted when the deadline of its call passes. The
 * deadline is read when the attempt starts, so it is the call's (limitEveryCall) or the
 * enclosing work's, whichever is earlier.
 */
export class DeadlineHttpHandler {
  constructor(private readonly inner: NodeHttpHandler) {}

  readonly metadata = { handlerProtocol: 'http/1.1' };

  handle(...[request, options = {}]: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    const left = remainingMs();
    if (left === undefined) return this.inner.handle(request, options);
    if (left <= 0) return Promise.reject(new DeadlineExceededError());
    const deadline = AbortSignal.timeout(left);
    const given = options.abortSignal as AbortSignal | undefined;
    return this.inner.handle(request, { ...options, abortSignal: given ? AbortSignal.any([given, deadline]) : deadline });
  }

  updateHttpClientConfig(...args: Parameters<NodeHttpHandler['updateHttpClientConfig']>): void {
    this.inner.updateHttpClientConfig(...args);
  }

  httpHandlerConfigs(): ReturnType<NodeHttpHandler['httpHandlerConfigs']> {
    return this.inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.inner.destroy();
  }
}
