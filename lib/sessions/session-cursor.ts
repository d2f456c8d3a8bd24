import type { Keyring } from '../core/keyring';
import { InvalidRequestError } from '../core/errors';
import type { IndexKey } from './session-store';

/**
 * `next_cursor` of the session list: where the page ended, bound to the user it was made for by
 * an HMAC under a server-side key. A cursor is opaque to clients; one that was altered, or made
 * for another user, is `400 invalid_request`, never someone else's listing.
 */
export interface SessionCursorCodec {
  encode(userId: string, key: IndexKey): string;
  /** Throws InvalidRequestError for anything that is not a cursor we made for this user. */
  decode(userId: string, cursor: string): IndexKey;
}

const TAG_BYTES = 16;
const CURSOR = /^([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{22})$/;

/** Cursors tagged under the current server key; one made under the previous key still reads during a rotation. */
export function createSessionCursorCodec(keyring: Keyring): SessionCursorCodec {
  const tags = keyring.purpose('session-list/cursor');
  const tagOf = (userId: string, body: string) => tags.digest([userId, '\0', body]).subarray(0, TAG_BYTES);
  const invalid = () => new InvalidRequestError('Invalid request: cursor is not valid.');
  return {
    encode(userId, { createdAt, id }) {
      const body = Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
      return `${body}.${tagOf(userId, body).toString('base64url')}`;
    },
    decode(userId, cursor) {
      const match = CURSOR.exec(cursor);
      if (!match) throw invalid();
      const [, body, tag] = match as unknown as [string, string, string];
      const presented = Buffer.from(tag, 'base64url');
      if (presented.length !== TAG_BYTES || tags.keyIndexOf(presented, userId, '\0', body) < 0) throw invalid();
      const [createdAt, id] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as [number, string];
      return { createdAt, id };
    },
  };
}
