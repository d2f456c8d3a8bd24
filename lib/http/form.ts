/**
 * `application/x-www-form-urlencoded` bodies and query strings read as OAuth reads them (RFC 6749
 * §3.1): a parameter sent twice is refused, one sent without a value counts as omitted, and the
 * text is UTF-8 or nothing (a bad percent-escape is an error, not a replacement character).
 */
import { InvalidRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../core/errors';
import { MAX_BODY_BYTES, type HttpRequest } from './http';

/** Parameters by name; a null prototype, so a parameter named `__proto__` is just a name. */
export type FormParams = Readonly<Record<string, string | undefined>>;

export const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/**
 * The form body of a POST: 413 over `maxBytes` (16 KiB), 415 for another media type or a charset
 * other than UTF-8, 400 for a repeated parameter or a malformed escape. No body is no parameters.
 */
export function readFormBody(request: Pick<HttpRequest, 'body' | 'headers'>, { maxBytes = MAX_BODY_BYTES }: { maxBytes?: number } = {}): FormParams {
  const { body } = request;
  if (body !== undefined && Buffer.byteLength(body, 'utf8') > maxBytes) throw new PayloadTooLargeError(maxBytes);
  if (body === undefined || body === '') return Object.freeze(Object.create(null) as Record<string, string>);
  const [mediaType, ...parameters] = (request.headers['content-type'] ?? '').split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== FORM_MEDIA_TYPE) throw new UnsupportedMediaTypeError(`The request body must be form-encoded (Content-Type: ${FORM_MEDIA_TYPE}).`);
  const charset = parameters.find((parameter) => parameter.startsWith('charset='))?.slice('charset='.length).replace(/^"|"$/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new UnsupportedMediaTypeError('The request body must be UTF-8 (charset=utf-8).');
  }
  return singleValued(parseUrlEncoded(body));
}

/** The query string's parameters, each at most once (an OAuth authorization request). */
export function readQueryParams(request: Pick<HttpRequest, 'multiValueQuery'>): FormParams {
  return singleValued(Object.entries(request.multiValueQuery).flatMap(([name, values]) => values.map((value) => [name, value] as const)));
}

/** `a=1&b=x+y` as name/value pairs in order, `+` as a space; throws on a bad escape or invalid UTF-8. */
export function parseUrlEncoded(text: string): Array<readonly [string, string]> {
  const pairs: Array<readonly [string, string]> = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const index = part.indexOf('=');
    const name = decode(index < 0 ? part : part.slice(0, index));
    const value = index < 0 ? '' : decode(part.slice(index + 1));
    if (name === '') throw new InvalidRequestError('A form parameter has no name.');
    pairs.push([name, value]);
  }
  return pairs;
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    throw new InvalidRequestError('The request holds a malformed percent-escape or text that is not UTF-8.');
  }
}

/** RFC 6749 §3.1: an empty parameter counts as omitted; any other parameter must come once. */
function singleValued(pairs: Iterable<readonly [string, string]>): FormParams {
  const params = Object.create(null) as Record<string, string>;
  for (const [name, value] of pairs) {
    if (value === '') continue;
    if (name in params) throw new InvalidRequestError(`The parameter "${name}" must not be sent more than once.`);
    params[name] = value;
  }
  return Object.freeze(params);
}
