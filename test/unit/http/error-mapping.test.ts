import { ServiceUnavailableError } from '../../../lib/core/errors';
import { errorToResponse } from '../../../lib/http/http';
import { capturingLogger } from '../../support/fixtures';

describe('the error mapper', () => {
  it('answers a storage failure with a generic 503 and logs the AWS error behind it: name, message, status, attempts', () => {
    const log = capturingLogger();
    const aws = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
      name: 'ProvisionedThroughputExceededException',
      $metadata: { httpStatusCode: 400, requestId: 'REQ123', attempts: 3 },
    });
    const response = errorToResponse(new ServiceUnavailableError({ cause: aws }), log.logger);
    expect(response).toMatchObject({ status: 503, body: { error: 'service_unavailable', message: expect.any(String) } });
    expect(JSON.stringify(response.body)).not.toContain('Throughput');
    const [line] = log.lines.filter((entry) => entry.message === 'request failed');
    expect(line).toMatchObject({
      code: 'service_unavailable',
      error: { name: 'ServiceUnavailableError', cause: { name: 'ProvisionedThroughputExceededException', httpStatusCode: 400, awsRequestId: 'REQ123', attempts: 3 } },
    });
  });

  it('tells the client when to retry a 503 (Retry-After), shorter than the refresh grace window', () => {
    const response = errorToResponse(new ServiceUnavailableError(), capturingLogger().logger);
    expect(response.status).toBe(503);
    expect(Number(response.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(Number(response.headers?.['Retry-After'])).toBeLessThan(10);
  });

  it('answers anything unexpected with a generic 500 that holds no stack, and logs the error', () => {
    const log = capturingLogger();
    const response = errorToResponse(new TypeError('cannot read properties of undefined'), log.logger);
    expect(response).toMatchObject({ status: 500, body: { error: 'internal_error', message: 'Something went wrong on our side.' } });
    expect(log.lines.find((entry) => entry.message === 'unexpected error')).toMatchObject({ error: { name: 'TypeError', stack: expect.any(String) } });
  });
});
