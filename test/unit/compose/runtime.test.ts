import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Context } from 'aws-lambda';
import { DEADLINE_MARGIN_MS, httpHandler, lazy, scheduledHandler } from '../../../lib/compose/runtime';
import { currentDeadline } from '../../../lib/core/deadline';
import { ConfigError } from '../../../lib/core/errors';
import { json } from '../../../lib/http/http';
import { restEvent } from '../../support/events';

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

describe('lazy parts: a failed cold start does not stick', () => {
  it('builds once and keeps the result', async () => {
    let builds = 0;
    const part = lazy(() => ++builds);
    expect(await part()).toBe(1);
    expect(await part()).toBe(1);
    expect(builds).toBe(1);
  });

  it('forgets a failure, answers it again at once during the backoff, and builds again after it', async () => {
    let now = 1_000;
    let builds = 0;
    const part = lazy(() => {
      builds++;
      if (builds === 1) throw throttled();
      return 'ready';
    }, () => now);
    await expect(part()).rejects.toThrow('Rate exceeded');
    now += 100;
    await expect(part()).rejects.toThrow('Rate exceeded');
    expect(builds).toBe(1);
    now += 200;
    await expect(part()).resolves.toBe('ready');
    expect(builds).toBe(2);
  });

  it('doubles the backoff while the failures go on', async () => {
    let now = 0;
    let builds = 0;
    const part = lazy(() => {
      builds++;
      throw throttled();
    }, () => now);
    await expect(part()).rejects.toThrow('Rate exceeded');
    now = 250;
    await expect(part()).rejects.toThrow('Rate exceeded');
    expect(builds).toBe(2);
    now = 600; // the second backoff is 500 ms, from 250
    await expect(part()).rejects.toThrow('Rate exceeded');
    expect(builds).toBe(2);
    now = 750;
    await expect(part()).rejects.toThrow('Rate exceeded');
    expect(builds).toBe(3);
  });
});

describe('httpHandler', () => {
  const bodyOf = (result: APIGatewayProxyResult) => JSON.parse(result.body) as unknown;

  it('answers 503 while its parts cannot be built, and serves once they can', async () => {
    let attempts = 0;
    const handler = httpHandler(
      lazy(async () => {
        attempts++;
        if (attempts <= 1) throw throttled();
        return { greeting: 'hello' };
      }),
      async (_request, parts) => json(200, parts),
    );
    // The cold-start build (attempt 1) failed; the first invocation may still be inside the backoff.
    const first = await handler(restEvent({}));
    expect(first.statusCode).toBe(503);
    expect(bodyOf(first)).toEqual({ error: 'service_unavailable', message: expect.any(String) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const later = await handler(restEvent({}));
    expect(later.statusCode).toBe(200);
    expect(bodyOf(later)).toEqual({ greeting: 'hello' });
  });

  it('runs the route under the invocation deadline (remaining time less the margin), which every AWS call keeps to', async () => {
    const seen: (number | undefined)[] = [];
    const handler = httpHandler(async () => ({}), async (_request, _parts, { deadline }) => {
      seen.push(currentDeadline(), deadline);
      return json(200, {});
    });
    const before = Date.now();
    await handler(restEvent({}), { getRemainingTimeInMillis: () => 10_000 } as Context);
    const [carried, given] = seen;
    expect(carried).toBe(given);
    expect(carried).toBeGreaterThanOrEqual(before + 10_000 - DEADLINE_MARGIN_MS);
    expect(carried).toBeLessThanOrEqual(Date.now() + 10_000 - DEADLINE_MARGIN_MS);
    expect(currentDeadline()).toBeUndefined();
  });

  it('answers a 503 with Retry-After', async () => {
    const handler = httpHandler(async () => Promise.reject(throttled()), async () => json(200, {}));
    const result = await handler(restEvent({}));
    expect(result.statusCode).toBe(503);
    expect(Number(result.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
  });

  it('fails the invocation with the message of a configuration error, naming the variable', async () => {
    const handler = httpHandler(
      async () => {
        throw new ConfigError('JWT_ISSUER', 'is required');
      },
      async () => json(200, {}),
    );
    await expect(handler(restEvent({}))).rejects.toThrow('Invalid configuration: JWT_ISSUER is required');
  });
});

describe('scheduledHandler', () => {
  it('runs the job under the invocation deadline, and fails the invocation when the job fails', async () => {
    let carried: number | undefined;
    const ok = scheduledHandler(async () => ({}), async () => void (carried = currentDeadline()));
    await ok({}, { getRemainingTimeInMillis: () => 60_000 } as Context);
    expect(carried).toBeGreaterThan(Date.now() + 50_000);
    const failing = scheduledHandler(async () => ({}), async () => Promise.reject(throttled()));
    await expect(failing({}, { getRemainingTimeInMillis: () => 60_000 } as Context)).rejects.toThrow('Rate exceeded');
  });
});
