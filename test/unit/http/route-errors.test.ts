import { httpHandler } from '../../../lib/compose/runtime';
import { InvalidRequestError } from '../../../lib/core/errors';
import { OAuthError } from '../../../lib/core/oauth-errors';
import { htmlErrors } from '../../../lib/http/html';
import { toHttpRequest } from '../../../lib/http/http';
import { oauthErrors } from '../../../lib/http/oauth';
import { restEvent } from '../../support/events';

const failing = (error: Error) => async () => {
  throw error;
};

describe("a route's error mapper", () => {
  it("is JSON { error, message } by default, the /auth/* contract", async () => {
    const result = await httpHandler(async () => ({}), failing(new InvalidRequestError('bad')))(restEvent({}));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toEqual({ error: 'invalid_request', message: 'bad' });
  });

  it("answers OAuth's shape when the route asks for it", async () => {
    const handler = httpHandler(async () => ({}), failing(new OAuthError('unsupported_grant_type', 'Use authorization_code.')), { errors: oauthErrors });
    const result = await handler(restEvent({}));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toEqual({ error: 'unsupported_grant_type', error_description: 'Use authorization_code.' });
  });

  it('answers an HTML page when the route asks for it', async () => {
    const result = await httpHandler(async () => ({}), failing(new InvalidRequestError('The form expired.')), { errors: htmlErrors })(restEvent({ method: 'GET' }));
    expect(result.statusCode).toBe(400);
    expect(result.headers?.['Content-Type']).toBe('text/html; charset=utf-8');
    expect(result.body).toContain('The form expired.');
  });
});

describe('the request', () => {
  it('carries its method and every value of a repeated query name', () => {
    const request = toHttpRequest({ ...restEvent({ method: 'get' }), queryStringParameters: { scope: 'b' }, multiValueQueryStringParameters: { scope: ['a', 'b'] } });
    expect(request.method).toBe('GET');
    expect(request.query.scope).toBe('b');
    expect(request.multiValueQuery.scope).toEqual(['a', 'b']);
  });

  it('fills the multi-valued query from the single one when an event has only that', () => {
    expect(toHttpRequest({ ...restEvent({}), queryStringParameters: { a: '1' } }).multiValueQuery).toEqual({ a: ['1'] });
  });
});
