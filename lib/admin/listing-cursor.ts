import { InvalidRequestError } from '../core/errors';

/**
 * The `next_cursor` of an admin listing (users, clients): where a page ended, bound to the listing
 * it came from (`scope`: the user listing's email prefix, `clients`); another listing's is 400.
 * Not tagged, unlike the session list's: it names a position in a listing the admin may read
 * whole anyway, so an altered one shows nothing new.
 */
export const listingCursorOf = (scope: string, position: string): string => Buffer.from(JSON.stringify([scope, position])).toString('base64url');

/** The position a cursor names, or 400 invalid_request when it is not one of `scope`'s. */
export function listingPositionIn(scope: string, cursor: string): string {
  const invalid = new InvalidRequestError('Invalid request: cursor is not valid.');
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) throw invalid;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || decoded[0] !== scope || typeof decoded[1] !== 'string' || !decoded[1]) throw invalid;
  return decoded[1];
}
