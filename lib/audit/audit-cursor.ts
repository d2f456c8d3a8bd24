import { InvalidRequestError } from '../core/errors';
import type { Keyring } from '../core/keyring';
import type { AuditPosition } from './audit-store';

/**
 * `next_cursor` of an audit listing, as the session list's (lib/sessions/session-cursor.ts): where
 * the page ended, bound by an HMAC to the listing it was made for (`scope`: the caller's own
 * events, or an admin's filter), so an altered cursor, or one made for another user's listing, is
 * `400 invalid_request`, never a page of someone else's events.
 */
export interface AuditCursorCodec {
  encode(scope: string, position: AuditPosition): string;
  /** Throws InvalidRequestError for anything that is not a cursor we made for this scope. */
  decode(scope: string, cursor: string): AuditPosition;
}

const TAG_BYTES = 16;
const CURSOR = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{22})$/;

/** Cursors tagged under the current server key; one made under the previous key still reads during a rotation. */
export function createAuditCursorCodec(keyring: Keyring): AuditCursorCodec {
  const tags = keyring.purpose('audit-list/cursor');
  const tagOf = (scope: string, body: string) => tags.digest([scope, '\0', body]).subarray(0, TAG_BYTES);
  const invalid = () => new InvalidRequestError('Invalid request: cursor is not valid.');
  return {
    encode(scope, { userId, time, id }) {
      const body = Buffer.from(JSON.stringify([userId, time, id])).toString('base64url');
      return `${body}.${tagOf(scope, body).toString('base64url')}`;
    },
    decode(scope, cursor) {
      const match = CURSOR.exec(cursor);
      if (!match) throw invalid();
      const [, body, tag] = match as unknown as [string, string, string];
      const presented = Buffer.from(tag, 'base64url');
      if (presented.length !== TAG_BYTES || tags.keyIndexOf(presented, scope, '\0', body) < 0) throw invalid();
      const [userId, time, id] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as [string, number, string];
      return { userId, time, id };
    },
  };
}
