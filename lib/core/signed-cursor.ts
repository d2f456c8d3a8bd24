import { InvalidRequestError } from './errors';
import type { Keyring } from './keyring';

/**
 * A listing's `next_cursor`: where the page ended, as a JSON tuple in base64url, bound by an HMAC
 * under a server-side key to the listing it was made for (`scope`: a user id, an admin's filter).
 * A cursor is opaque to clients; one that was altered, or made for another listing, is
 * `400 invalid_request`, never a page of someone else's listing.
 */
export interface SignedCursorCodec<Position> {
  encode(scope: string, position: Position): string;
  /** Throws InvalidRequestError for anything that is not a cursor we made for this scope. */
  decode(scope: string, cursor: string): Position;
}

export interface CursorShape<Position, Tuple extends readonly unknown[]> {
  /** The keyring purpose its tags are made under (a new one invalidates every cursor out there). */
  readonly purpose: string;
  /** The longest body (base64url characters) a cursor of this listing may have. */
  readonly maxBodyChars: number;
  readonly toTuple: (position: Position) => Tuple;
  readonly fromTuple: (tuple: Tuple) => Position;
}

const TAG_BYTES = 16;
const TAG_CHARS = 22;

/** Cursors tagged under the current server key; one made under the previous key still reads during a rotation. */
export function createSignedCursorCodec<Position, Tuple extends readonly unknown[]>(keyring: Keyring, shape: CursorShape<Position, Tuple>): SignedCursorCodec<Position> {
  const tags = keyring.purpose(shape.purpose);
  const pattern = new RegExp(`^([A-Za-z0-9_-]{1,${shape.maxBodyChars}})\\.([A-Za-z0-9_-]{${TAG_CHARS}})$`);
  const tagOf = (scope: string, body: string) => tags.digest([scope, '\0', body]).subarray(0, TAG_BYTES);
  const invalid = () => new InvalidRequestError('Invalid request: cursor is not valid.');
  return {
    encode(scope, position) {
      const body = Buffer.from(JSON.stringify(shape.toTuple(position))).toString('base64url');
      return `${body}.${tagOf(scope, body).toString('base64url')}`;
    },
    decode(scope, cursor) {
      const match = pattern.exec(cursor);
      if (!match) throw invalid();
      const [, body, tag] = match as unknown as [string, string, string];
      const presented = Buffer.from(tag, 'base64url');
      if (presented.length !== TAG_BYTES || tags.keyIndexOf(presented, scope, '\0', body) < 0) throw invalid();
      return shape.fromTuple(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Tuple);
    },
  };
}
