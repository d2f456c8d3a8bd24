import { AuthError, errorFromResponse } from './errors';
import { memoryStorage, type AuthStorage, type StoredSession } from './storage';
import type { Account, Credentials, Delivery, LoggedOutReason, Session, TokenInfo } from './types';

/** How the client sends a request; `globalThis.fetch` by default. Wrap it to log or count. */
export type Transport = (request: Request) => Promise<Response>;

export interface AuthClientOptions {
  /** The API's base URL with its stage, e.g. `http://localhost:3000/dev`. Relative URLs resolve against the page. */
  readonly baseUrl: string;
  /** `cookie` for browsers (the refresh token stays in an HttpOnly cookie), `body` for servers and CLIs. */
  readonly delivery: Delivery;
  /** Where the session lives between calls [memory]. */
  readonly storage?: AuthStorage;
  readonly fetch?: Transport;
  /** Refresh this long before the access token expires, at most half its lifetime [30]. */
  readonly refreshLeewaySeconds?: number;
  /** The clock that measures the token lifetime from `expires_in` [Date.now]. */
  readonly now?: () => number;
}

/** `logged-in` (after `login`) and `refreshed` (after every refresh). */
export class TokensEvent extends Event {
  constructor(
    type: 'logged-in' | 'refreshed',
    readonly tokens: TokenInfo,
  ) {
    super(type);
  }
}

/** The client dropped its session: asked to (`logout`, `logout-all`, `session-ended`) or because the server refused a refresh. */
export class LoggedOutEvent extends Event {
  constructor(
    readonly reason: LoggedOutReason,
    readonly error?: AuthError,
  ) {
    super('logged-out');
  }
}

export interface AuthClientEventMap {
  'logged-in': TokensEvent;
  refreshed: TokensEvent;
  'logged-out': LoggedOutEvent;
}

interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  refresh_token_expires_in: number;
}

interface Refreshed {
  readonly session: StoredSession;
  readonly tokens: TokenInfo;
}

const DEFAULT_REFRESH_LEEWAY_SECONDS = 30;
const ABSOLUTE_URL = /^[a-z][a-z\d+.-]*:/i;

/** A client of the auth service; build one per user (browser tab, CLI profile, server-side identity). */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  return new AuthClient(options);
}

export class AuthClient {
  /** Normalised: no trailing slash. */
  readonly baseUrl: string;
  readonly delivery: Delivery;
  private readonly base: URL;
  private readonly storage: AuthStorage;
  private readonly transport: Transport;
  private readonly leewayMs: number;
  private readonly now: () => number;
  private readonly events = new EventTarget();
  private state: StoredSession | null = null;
  private loaded = false;
  private loading: Promise<void> | undefined;
  /** The one refresh every concurrent caller waits for (single flight). */
  private refreshing: Promise<Refreshed> | undefined;
  /** Bumped when the session changes hands (login, logout), so a late answer cannot bring back an ended session. */
  private epoch = 0;

  constructor(options: AuthClientOptions) {
    if (options.delivery !== 'cookie' && options.delivery !== 'body') throw new TypeError("delivery must be 'cookie' or 'body'");
    const pageUrl = (globalThis as { location?: { href?: string } }).location?.href;
    const base = new URL(options.baseUrl, pageUrl);
    this.base = new URL(base.origin + base.pathname.replace(/\/+$/, ''));
    this.baseUrl = this.base.href.replace(/\/+$/, '');
    this.delivery = options.delivery;
    this.storage = options.storage ?? memoryStorage();
    this.transport = options.fetch ?? ((request) => globalThis.fetch(request));
    this.leewayMs = (options.refreshLeewaySeconds ?? DEFAULT_REFRESH_LEEWAY_SECONDS) * 1000;
    this.now = options.now ?? Date.now;
  }

  /** Whether the client holds a session (after `login`, a refresh, or a stored session once loaded). */
  get isLoggedIn(): boolean {
    return this.state !== null;
  }

  /** When the current access token expires (epoch ms, client clock), or null. */
  get accessTokenExpiresAt(): number | null {
    return this.state?.expiresAt ?? null;
  }

  /** The session id of the current access token, or null. */
  get sessionId(): string | null {
    return this.state ? (sessionIdOf(this.state.accessToken) ?? null) : null;
  }

  addEventListener<K extends keyof AuthClientEventMap>(
    type: K,
    listener: (event: AuthClientEventMap[K]) => void,
    options?: { once?: boolean; signal?: AbortSignal },
  ): void {
    this.events.addEventListener(type, listener as (event: Event) => void, options);
  }

  removeEventListener<K extends keyof AuthClientEventMap>(type: K, listener: (event: AuthClientEventMap[K]) => void): void {
    this.events.removeEventListener(type, listener as (event: Event) => void);
  }

  /** `POST /auth/register`. Does not log in. */
  async register(credentials: Credentials): Promise<Account> {
    const response = await this.send(this.postJson('/auth/register', { email: credentials.email, password: credentials.password }));
    if (response.status !== 201) throw await errorFromResponse(response);
    const body = await readJson(response);
    if (typeof body.id !== 'string' || typeof body.email !== 'string' || typeof body.created_at !== 'string') throw unexpected('/auth/register');
    return { id: body.id, email: body.email, createdAt: body.created_at };
  }

  /** `POST /auth/login` with this client's delivery; replaces any session the client held. */
  async login(credentials: Credentials): Promise<TokenInfo> {
    const sentAt = this.now();
    const response = await this.send(
      this.postJson('/auth/login', { email: credentials.email, password: credentials.password, refresh_token_delivery: this.delivery }),
    );
    if (response.status !== 200) throw await errorFromResponse(response);
    const body = await readTokenResponse(response, this.delivery);
    this.epoch += 1;
    return (await this.adopt(body, sentAt, 'logged-in')).tokens;
  }

  /**
   * Rotates the refresh token now. Concurrent callers share one request. With cookie delivery
   * this also resumes a session after a page reload. A refusal (400/401/403) ends the session
   * and emits `logged-out`; a network error or 5xx leaves it as it was.
   */
  async refresh(): Promise<TokenInfo> {
    return (await this.refreshOnce()).tokens;
  }

  /** `POST /auth/logout`. The local session ends first, whatever the server answers. */
  async logout(): Promise<void> {
    const session = await this.current();
    const refreshToken = session?.refreshToken;
    await this.end('logout', session !== null);
    // Body delivery without a refresh token: nothing to end on the server. Cookie delivery: the cookie may still be there.
    if (this.delivery === 'body' && refreshToken === undefined) return;
    const response = await this.send(this.postJson('/auth/logout', this.delivery === 'body' ? { refresh_token: refreshToken } : undefined));
    // 400/401: no usable refresh token any more, which is what logging out wanted.
    if (response.status !== 204 && response.status !== 400 && response.status !== 401) throw await errorFromResponse(response);
  }

  /** `POST /auth/logout-all`: ends every session of the user, this one included. */
  async logoutAll(): Promise<void> {
    const response = await this.fetch('/auth/logout-all', { method: 'POST' });
    if (response.status !== 204) throw await errorFromResponse(response);
    await this.endAndClearCookie('logout-all');
  }

  /** `GET /auth/sessions`: the user's live sessions, newest first. */
  async listSessions(): Promise<Session[]> {
    const response = await this.fetch('/auth/sessions');
    if (response.status !== 200) throw await errorFromResponse(response);
    const body = await readJson(response);
    if (!Array.isArray(body.sessions)) throw unexpected('/auth/sessions');
    return body.sessions.map((entry: Record<string, unknown>) => ({
      id: String(entry.id),
      createdAt: String(entry.created_at),
      lastUsedAt: String(entry.last_used_at),
      expiresAt: String(entry.expires_at),
      userAgent: typeof entry.user_agent === 'string' ? entry.user_agent : null,
      ip: typeof entry.ip === 'string' ? entry.ip : null,
      current: entry.current === true,
    }));
  }

  /** `DELETE /auth/sessions/{id}`. Ending this client's own session logs it out (`session-ended`). */
  async endSession(id: string): Promise<void> {
    const response = await this.fetch(`/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
    if (response.status !== 204) throw await errorFromResponse(response);
    if (id === this.sessionId) await this.endAndClearCookie('session-ended');
  }

  /**
   * `fetch` with the access token. A string without a scheme is a path under `baseUrl`
   * (`client.fetch('/me')`). The token goes only to URLs under `baseUrl`. It refreshes first
   * when the token is about to expire; on a 401 it refreshes once (shared by every concurrent
   * caller) and retries once, returning whatever the retry answers. Rejects with an `AuthError`
   * when the refresh is refused (the client is then logged out) or the network fails.
   */
  async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = new Request(typeof input === 'string' && !ABSOLUTE_URL.test(input) ? this.urlOf(input) : input, init);
    if (!this.isUnderBase(request.url)) return this.send(request);
    const token = await this.accessToken();
    if (token === undefined) return this.send(request);
    const first = await this.send(request.clone(), token);
    if (first.status !== 401) return first;
    void first.body?.cancel().catch(() => undefined);
    return this.send(request, await this.tokenAfterRejection(token));
  }

  private urlOf(path: string): string {
    return `${this.baseUrl}${path.startsWith('/') ? '' : '/'}${path}`;
  }

  private isUnderBase(url: string): boolean {
    const target = new URL(url);
    const basePath = this.base.pathname.replace(/\/+$/, '');
    return target.origin === this.base.origin && (target.pathname === basePath || target.pathname.startsWith(`${basePath}/`));
  }

  private async current(): Promise<StoredSession | null> {
    if (!this.loaded) {
      this.loading ??= Promise.resolve(this.storage.load()).then(
        (stored) => {
          // A login that finished while the storage was loading wins.
          if (!this.loaded) [this.state, this.loaded] = [stored ?? null, true];
        },
        (error: unknown) => {
          this.loading = undefined;
          throw error;
        },
      );
      await this.loading;
    }
    return this.state;
  }

  /** The token to send: the current one, or a fresh one when it is about to expire. */
  private async accessToken(): Promise<string | undefined> {
    const session = await this.current();
    if (!session) return undefined;
    if (this.now() < session.refreshAt) return session.accessToken;
    try {
      return (await this.refreshOnce()).session.accessToken;
    } catch (error) {
      // A refresh that failed for a passing reason (network, 5xx) does not end a token that still works.
      if (this.state === session && this.now() < session.expiresAt) return session.accessToken;
      throw error;
    }
  }

  /** After a 401 with `used`: a token that is newer than it, from the refresh in flight or a new one. */
  private async tokenAfterRejection(used: string): Promise<string> {
    const session = await this.current();
    if (!session) throw new AuthError('not_authenticated', 'The session ended; log in again.');
    if (session.accessToken !== used) return session.accessToken;
    return (await this.refreshOnce()).session.accessToken;
  }

  private refreshOnce(): Promise<Refreshed> {
    this.refreshing ??= this.requestRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async requestRefresh(): Promise<Refreshed> {
    const epoch = this.epoch;
    const session = await this.current();
    if (this.delivery === 'body' && !session?.refreshToken) throw new AuthError('not_authenticated', 'There is no session to refresh; log in first.');
    const sentAt = this.now();
    const response = await this.send(this.postJson('/auth/refresh', this.delivery === 'body' ? { refresh_token: session?.refreshToken } : undefined));
    if (response.status !== 200) {
      const error = await errorFromResponse(response);
      // 400/401/403: this refresh token will never work again. 5xx: try again later.
      if (response.status >= 400 && response.status < 500 && response.status !== 429 && epoch === this.epoch) {
        await this.end('refresh-failed', session !== null, error);
      }
      throw error;
    }
    const body = await readTokenResponse(response, this.delivery);
    if (epoch !== this.epoch) throw new AuthError('not_authenticated', 'The session ended while it was being refreshed.');
    return this.adopt(body, sentAt, 'refreshed');
  }

  private async adopt(body: TokenResponse, sentAt: number, event: 'logged-in' | 'refreshed'): Promise<Refreshed> {
    const lifetimeMs = body.expires_in * 1000;
    const session: StoredSession = {
      accessToken: body.access_token,
      expiresAt: sentAt + lifetimeMs,
      refreshAt: sentAt + Math.max(lifetimeMs - this.leewayMs, lifetimeMs / 2),
      ...(this.delivery === 'body' ? { refreshToken: body.refresh_token } : {}),
    };
    [this.state, this.loaded] = [session, true];
    await this.storage.save(session);
    const tokens: TokenInfo = {
      expiresIn: body.expires_in,
      expiresAt: session.expiresAt,
      refreshTokenExpiresIn: body.refresh_token_expires_in,
      sessionId: sessionIdOf(body.access_token),
    };
    this.events.dispatchEvent(new TokensEvent(event, tokens));
    return { session, tokens };
  }

  private async end(reason: LoggedOutReason, announce: boolean, error?: AuthError): Promise<void> {
    this.epoch += 1;
    [this.state, this.loaded] = [null, true];
    await this.storage.clear();
    if (announce) this.events.dispatchEvent(new LoggedOutEvent(reason, error));
  }

  /** The session is over on the server; with cookie delivery, also ask it to clear the now useless cookie. */
  private async endAndClearCookie(reason: LoggedOutReason): Promise<void> {
    await this.end(reason, true);
    if (this.delivery === 'cookie') await this.send(this.postJson('/auth/logout', undefined)).catch(() => undefined);
  }

  private postJson(path: string, body: unknown): Request {
    return new Request(this.urlOf(path), {
      method: 'POST',
      ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
      // The refresh cookie is sent and stored only with credentials; body delivery never needs a cookie.
      credentials: this.delivery === 'cookie' ? 'include' : 'omit',
    });
  }

  private async send(request: Request, token?: string): Promise<Response> {
    let outgoing = request;
    if (token !== undefined) {
      const headers = new Headers(request.headers);
      headers.set('Authorization', `Bearer ${token}`);
      outgoing = new Request(request, { headers });
    }
    try {
      return await this.transport(outgoing);
    } catch (cause) {
      if ((cause as { name?: unknown } | null)?.name === 'AbortError') throw cause;
      throw new AuthError('network_error', `Could not reach ${outgoing.url}.`, 0, { cause });
    }
  }
}

async function readJson(response: Response): Promise<Record<string, unknown>> {
  try {
    const body: unknown = await response.json();
    if (typeof body === 'object' && body !== null) return body as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw unexpected(new URL(response.url || 'http://invalid/').pathname);
}

async function readTokenResponse(response: Response, delivery: Delivery): Promise<TokenResponse> {
  const body = await readJson(response);
  const valid =
    typeof body.access_token === 'string' &&
    typeof body.expires_in === 'number' &&
    body.expires_in > 0 &&
    typeof body.refresh_token_expires_in === 'number' &&
    (delivery === 'cookie' || typeof body.refresh_token === 'string');
  if (!valid) throw unexpected('a token response');
  return body as unknown as TokenResponse;
}

const unexpected = (what: string) => new AuthError('unexpected_response', `The service answered ${what} with something the contract does not describe.`);

/** The `sid` claim, read without verifying (the server verifies); only to recognise this client's session. */
function sessionIdOf(accessToken: string): string | undefined {
  try {
    const payload = accessToken.split('.')[1] ?? '';
    const claims: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    const sid = (claims as { sid?: unknown }).sid;
    return typeof sid === 'string' ? sid : undefined;
  } catch {
    return undefined;
  }
}
