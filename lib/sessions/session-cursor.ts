import type { Keyring } from '../core/keyring';
import { createSignedCursorCodec, type SignedCursorCodec } from '../core/signed-cursor';
import type { IndexKey } from './session-store';

/** `next_cursor` of the session list: where the page ended, bound to the user it was made for (lib/core/signed-cursor.ts). */
export type SessionCursorCodec = SignedCursorCodec<IndexKey>;

export const createSessionCursorCodec = (keyring: Keyring): SessionCursorCodec =>
  createSignedCursorCodec(keyring, {
    purpose: 'session-list/cursor',
    maxBodyChars: 200,
    toTuple: ({ createdAt, id }: IndexKey): [number, string] => [createdAt, id],
    fromTuple: ([createdAt, id]) => ({ createdAt, id }),
  });
