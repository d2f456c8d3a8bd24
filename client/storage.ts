/**
 * What the client keeps between calls. Times are the client's own clock: `expiresAt` is when the
 * token request was sent plus the server's `expires_in`, so a wrong wall clock never matters
 * by more than the request's round trip.
 */
export interface StoredSession {
  readonly accessToken: string;
  /** Epoch ms after which the access token is expired. */
  readonly expiresAt: number;
  /** Epoch ms from which a call refreshes first ("shortly before expiry"). */
  readonly refreshAt: number;
  /** Body delivery only; with cookie delivery the refresh token never reaches JavaScript. */
  readonly refreshToken?: string;
}

/**
 * Where the session is kept. Synchronous or asynchronous; the client loads it once and then
 * writes every change through. Keep a refresh token (body delivery) somewhere only its owner
 * can read, e.g. a file with mode 0600 for a CLI.
 */
export interface AuthStorage {
  load(): StoredSession | null | Promise<StoredSession | null>;
  save(session: StoredSession): void | Promise<void>;
  clear(): void | Promise<void>;
}

/** The default: memory only, so a page reload or a new process starts signed out (cookie delivery can resume with `refresh()`). */
export function memoryStorage(initial: StoredSession | null = null): AuthStorage & { readonly current: StoredSession | null } {
  let current = initial;
  return {
    get current() {
      return current;
    },
    load: () => current,
    save: (session) => {
      current = session;
    },
    clear: () => {
      current = null;
    },
  };
}
