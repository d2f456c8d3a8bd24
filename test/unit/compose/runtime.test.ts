import type { APIGatewayProxyResult } from 'aws-lambda';
import { httpHandler, lazy } from '../../../lib/compose/runtime';
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
