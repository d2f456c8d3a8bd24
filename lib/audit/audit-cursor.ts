import type { Keyring } from '../core/keyring';
import { createSignedCursorCodec, type SignedCursorCodec } from '../core/signed-cursor';
import type { AuditPosition } from './audit-store';

/**
 * `next_cursor` of an audit listing (lib/core/signed-cursor.ts), bound to the listing it was made
 * for (`scope`: the caller's own events, or an admin's filter), so one made for another user's
 * listing is `400 invalid_request`, never a page of someone else's events.
 */
export type AuditCursorCodec = SignedCursorCodec<AuditPosition>;

export const createAuditCursorCodec = (keyring: Keyring): AuditCursorCodec =>
  createSignedCursorCodec(keyring, {
    purpose: 'audit-list/cursor',
    maxBodyChars: 400,
    toTuple: ({ userId, time, id }: AuditPosition): [string, number, string] => [userId, time, id],
    fromTuple: ([userId, time, id]) => ({ userId, time, id }),
  });
