import { InvalidRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../../lib/core/errors';
import { parseUrlEncoded, readFormBody, readQueryParams } from '../../../lib/http/form';
import { toHttpRequest } from '../../../lib/http/http';
import { restEvent } from '../../support/events';

const FORM = 'application/x-www-form-urlencoded';
const formRequest = (body: string, contentType = FORM) => toHttpRequest(restEvent({ body, headers: { 'Content-Type': contentType } }));

describe('form-encoded bodies (RFC 6749 §3.1)', () => {
  it('reads each parameter, with + as a space and percent-escapes decoded as UTF-8', () => {
    const params = readFormBody(formRequest('grant_type=authorization_code&code=a%2Bb&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&name=J%C3%BCrgen+M'));
    expect({ ...params }).toEqual({ grant_type: 'authorization_code', code: 'a+b', redirect_uri: 'https://app.example/cb', name: 'Jürgen M' });
  });

  it('accepts charset=utf-8 in any case, quoted or not', () => {
    expect(readFormBody(formRequest('a=1', `${FORM}; charset=UTF-8`)).a).toBe('1');
    expect(readFormBody(formRequest('a=1', `${FORM};charset="utf-8"`)).a).toBe('1');
  });

  it('refuses a parameter sent twice with invalid_request, naming it', () => {
    expect(() => readFormBody(formRequest('client_id=a&client_id=b'))).toThrow(InvalidRequestError);
    expect(() => readFormBody(formRequest('client_id=a&client_id=b'))).toThrow(/"client_id" must not be sent more than once/);
  });

  it('treats a parameter without a value as omitted, so it neither counts as sent nor as a repeat', () => {
    const params = readFormBody(formRequest('scope=&scope=openid&state'));
    expect(params.scope).toBe('openid');
    expect('state' in params).toBe(false);
  });

  it('refuses a malformed percent-escape and bytes that are not UTF-8 (no silent replacement character)', () => {
    expect(() => readFormBody(formRequest('code=%zz'))).toThrow(InvalidRequestError);
    expect(() => readFormBody(formRequest('code=%C3%28'))).toThrow(InvalidRequestError);
  });

  it('answers 415 for JSON or another charset, and 413 over the size limit', () => {
    expect(() => readFormBody(formRequest('{"a":1}', 'application/json'))).toThrow(UnsupportedMediaTypeError);
    expect(() => readFormBody(formRequest('a=1', `${FORM}; charset=iso-8859-1`))).toThrow(UnsupportedMediaTypeError);
    expect(() => readFormBody(formRequest('a=1'.padEnd(20, '1')), { maxBytes: 10 })).toThrow(PayloadTooLargeError);
    expect(() => readFormBody(formRequest(`a=${'x'.repeat(16 * 1024)}`))).toThrow(PayloadTooLargeError);
  });

  it('gives no parameters for an empty body, whatever its Content-Type', () => {
    expect(Object.keys(readFormBody(toHttpRequest(restEvent({}))))).toEqual([]);
  });

  it('keeps a parameter named __proto__ as a plain name, not the prototype', () => {
    const params = readFormBody(formRequest('__proto__=x&constructor=y'));
    expect(params.__proto__).toBe('x');
    expect(params.constructor).toBe('y');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('refuses a parameter without a name', () => {
    expect(() => parseUrlEncoded('=value')).toThrow(InvalidRequestError);
  });
});

describe('query parameters, each at most once', () => {
  const withQuery = (multi: Record<string, string[]>) =>
    toHttpRequest({ ...restEvent({ method: 'GET' }), multiValueQueryStringParameters: multi, queryStringParameters: Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v.at(-1)!])) });

  it('reads a single-valued query', () => {
    expect({ ...readQueryParams(withQuery({ response_type: ['code'], state: ['xyz'] })) }).toEqual({ response_type: 'code', state: 'xyz' });
  });

  it('refuses a repeated name that API Gateway would have reduced to its last value', () => {
    const request = withQuery({ redirect_uri: ['https://app.example/cb', 'https://evil.example/cb'] });
    expect(request.query.redirect_uri).toBe('https://evil.example/cb');
    expect(() => readQueryParams(request)).toThrow(/"redirect_uri" must not be sent more than once/);
  });
});
