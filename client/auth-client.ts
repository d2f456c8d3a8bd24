import { AdminApi } from './admin';
import { AuthError, errorFromResponse, refusedAccessToken } from './errors';
import { checkPasskeyName } from './passkey-name';
import {
  accessTokenResponseOf,
  creationOptionsOf,
  meOf,
  passkeyLoginOptionsOf,
  passkeysOf,
  readJson,
  readTokenResponse,
  recoveryCodesOf,
  registeredPasskeyOf,
  securityEventPageOf,
  sessionPageOf,
  totpEnrolmentOf,
  unexpected,
  type TokenResponse,
} from './responses';
import { memoryStorage, type AuthStorage, type StoredSession } from './storage';
import type {
  AccessTokenInfo,
  Account,
  Credentials,
  Delivery,
  LoggedOutReason,
  Me,
  MfaAnswer,
  MfaChallenge,
  MfaPrompt,
  Passkey,
  PasswordProof,
  RegisteredPasskey,
  SecurityEventPage,
  SessionPage,
  TokenInfo,
  TotpEnrolment,
} from './types';
import type { PasskeyCreationOptionsJSON, PasskeyCredentialJSON, PasskeyLoginOptions, WebAuthnAdapter } from './webauthn';

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
  /** Asks for a TOTP or recovery code when a login answers `mfa_required` [none: `login` rejects with it]. */
  readonly onMfaRequired?: MfaPrompt;
  /** The browser's WebAuthn ceremonies, for `registerPasskey` and `loginWithPasskey` (e.g. `@simplewebauthn/browser`). */
  readonly webauthn?: WebAuthnAdapter;
}

/** `logged-in` (after a login: password, second factor or passkey) and `refreshed` (after every refresh). */
export class TokensEvent extends Event {
  constructor(
    type: 'logged-in' | 'refreshed',
    readonly tokens: TokenInfo,
  ) {
    super(type);
  }
}

/** After `reauthenticate`: a new access token with a fresh `auth_time`, for the same session. */
export class ReauthenticatedEvent extends Event {
  constructor(readonly tokens: AccessTokenInfo) {
    super('reauthenticated');
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
  reauthenticated: ReauthenticatedEvent;
  'logged-out': LoggedOutEvent;
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
  private readonly onMfaRequired: MfaPrompt | undefined;
  private readonly webauthn: WebAuthnAdapter | undefined;
  private readonly events = new EventTarget();
  private adminApi: AdminApi | undefined;
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
    this.onMfaRequired = options.onMfaRequired;
    this.webauthn = options.webauthn;
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

  /**
   * The roles of the current access token (`roles`), [] when signed out or without any. For what
   * the page shows, never for a decision: the server decides with its own check of the token. A
   * role change reaches this after the next refresh.
   */
  get roles(): readonly string[] {
    const roles = this.state ? claimsOf(this.state.accessToken)?.roles : undefined;
    return Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [];
  }

  /** The permissions of the current access token (its space-separated `scope`), [] when signed out or without any; for display, as `roles`. */
  get permissions(): readonly string[] {
    const scope = this.state ? claimsOf(this.state.accessToken)?.scope : undefined;
    return typeof scope === 'string' && scope ? scope.split(' ') : [];
  }

  /** The admin API (`/admin/*`) with this client's session; see `AdminApi`. */
  get admin(): AdminApi {
    this.adminApi ??= new AdminApi((input, init) => this.fetch(input, init));
    return this.adminApi;
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
    const response = await this.send(this.postJson('/auth/register', { email: credentials.email, password: credentials.password }, false));
    if (response.status !== 201) throw await errorFromResponse(response);
    const body = await readJson(response);
    if (typeof body.id !== 'string' || typeof body.email !== 'string' || typeof body.created_at !== 'string') throw unexpected('/auth/register');
    return { id: body.id, email: body.email, createdAt: body.created_at };
  }

  /**
   * `POST /auth/login` with this client's delivery; replaces any session the client held. When the
   * account has TOTP on, asks `mfa` (or the `onMfaRequired` option) for a code, again after a wrong
   * one; without a prompt it rejects with `mfa_required` and its `mfaChallenge`, for `verifyMfa`.
   */
  async login(credentials: Credentials, options: { mfa?: MfaPrompt } = {}): Promise<TokenInfo> {
    const sentAt = this.now();
    const response = await this.send(
      this.postJson('/auth/login', { email: credentials.email, password: credentials.password, refresh_token_delivery: this.delivery }),
    );
    if (response.status === 200) return this.adoptLogin(response, sentAt);
    const error = await errorFromResponse(response, sentAt);
    const prompt = options.mfa ?? this.onMfaRequired;
    if (error.code !== 'mfa_required' || error.mfaChallenge === undefined || prompt === undefined) throw error;
    return this.answerMfa(error.mfaChallenge, prompt);
  }

  /** `POST /auth/mfa/verify`: finishes a login that answered `mfa_required`, with a TOTP code or a recovery code. */
  async verifyMfa(challenge: MfaChallenge, answer: MfaAnswer): Promise<TokenInfo> {
    const sentAt = this.now();
    const second = 'code' in answer ? { code: answer.code } : { recovery_code: answer.recoveryCode };
    const response = await this.send(this.postJson('/auth/mfa/verify', { mfa_token: challenge.mfaToken, ...second }));
    if (response.status !== 200) throw await errorFromResponse(response);
    return this.adoptLogin(response, sentAt);
  }

  /** Asks until a code is accepted; any other refusal (the MFA token ended, throttling) or a rejected prompt ends it. */
  private async answerMfa(challenge: MfaChallenge, prompt: MfaPrompt): Promise<TokenInfo> {
    let previousError: AuthError | undefined;
    for (;;) {
      const answer = await prompt(challenge, previousError);
      try {
        return await this.verifyMfa(challenge, answer);
      } catch (error) {
        if (!(error instanceof AuthError) || error.code !== 'invalid_mfa_code') throw error;
        previousError = error;
      }
    }
  }

  private async adoptLogin(response: Response, sentAt: number): Promise<TokenInfo> {
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

  /**
   * For a page load or a new process: resumes the session (from the refresh cookie or the
   * storage) and resolves to null when there is none, which is a normal first visit, not an
   * error: no refresh token at all, or one the server no longer knows (`invalid_refresh_token`).
   * Other failures (network, 5xx, `csrf_rejected`) reject.
   */
  async resume(): Promise<TokenInfo | null> {
    const session = await this.current();
    if (this.delivery === 'body' && !session?.refreshToken) return null;
    try {
      return await this.refresh();
    } catch (error) {
      if (error instanceof AuthError && error.code === 'invalid_refresh_token') return null;
      throw error;
    }
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

  /** `GET /auth/sessions`: one page of the user's live sessions, newest first; pass `nextCursor` as `cursor` for the next. */
  async listSessions(options: { cursor?: string } = {}): Promise<SessionPage> {
    const query = options.cursor === undefined ? '' : `?cursor=${encodeURIComponent(options.cursor)}`;
    return sessionPageOf(await this.callJson('GET', `/auth/sessions${query}`, undefined, 200));
  }

  /** `GET /me/security-events`: one page (at most 50) of the user's own security events, newest first; pass `nextCursor` as `cursor` for the next. */
  async listSecurityEvents(options: { cursor?: string } = {}): Promise<SecurityEventPage> {
    const query = options.cursor === undefined ? '' : `?cursor=${encodeURIComponent(options.cursor)}`;
    return securityEventPageOf(await this.callJson('GET', `/me/security-events${query}`, undefined, 200), '/me/security-events');
  }

  /** `DELETE /auth/sessions/{id}`. Ending this client's own session logs it out (`session-ended`). */
  async endSession(id: string): Promise<void> {
    const response = await this.fetch(`/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
    if (response.status !== 204) throw await errorFromResponse(response);
    if (id === this.sessionId) await this.endAndClearCookie('session-ended');
  }

  /**
   * `GET /me`: the account behind the access token. A `404 not_found` means the account was
   * deleted (perhaps on another device) while the access token still works: the client then
   * logs out (`account-deleted`, with the error) and rejects with it. A `403 account_disabled`
   * (an admin disabled the account, which ended its sessions) logs out likewise (`account-disabled`).
   */
  async me(): Promise<Me> {
    const response = await this.fetch('/me');
    if (response.status === 200) return meOf(await readJson(response));
    const error = await errorFromResponse(response);
    if (this.state !== null) {
      if (error.code === 'not_found') await this.endAndClearCookie('account-deleted', error);
      else if (error.code === 'account_disabled') await this.endAndClearCookie('account-disabled', error);
    }
    throw error;
  }

  /** `POST /auth/email/verify` with the token of a verification link; needs no session. */
  async verifyEmail(token: string): Promise<void> {
    await this.expectStatus(await this.send(this.postJson('/auth/email/verify', { token }, false)), 204);
  }

  /** `POST /auth/email/verify-request`: emails the user a new verification link (at most one a minute). */
  async requestVerificationEmail(): Promise<void> {
    await this.call('POST', '/auth/email/verify-request', undefined, 202);
  }

  /** `POST /auth/password/forgot`: the same answer whether or not the account exists. */
  async forgotPassword(email: string): Promise<void> {
    await this.expectStatus(await this.send(this.postJson('/auth/password/forgot', { email }, false)), 202);
  }

  /**
   * `POST /auth/password/reset` with the token of a reset link. It ends every session of that
   * account; a client logged in to it finds out at its next refresh.
   */
  async resetPassword(token: string, password: string): Promise<void> {
    await this.expectStatus(await this.send(this.postJson('/auth/password/reset', { token, password }, false)), 204);
  }

  /**
   * `POST /auth/reauthenticate` with the password (and a code when the account has TOTP on): a new
   * access token for this session with a fresh `auth_time`, which sensitive changes need (they
   * answer `reauthentication_required` when the sign-in is older than the service allows). The
   * refresh token is not rotated. Emits `reauthenticated`.
   */
  async reauthenticate(proof: PasswordProof): Promise<AccessTokenInfo> {
    const second = proof.recoveryCode !== undefined ? { recovery_code: proof.recoveryCode } : proof.code !== undefined ? { code: proof.code } : {};
    return this.adoptReauthentication({ password: proof.password, ...second });
  }

  /**
   * Re-authenticates with a passkey: `passkeys/login/options` (with the email, that account's
   * passkeys; without, any discoverable one), the browser's ceremony, then `POST /auth/reauthenticate`.
   */
  async reauthenticateWithPasskey(email?: string): Promise<AccessTokenInfo> {
    const ceremonies = this.ceremonies();
    const { challengeId, options } = await this.passkeyLoginOptions(email);
    const response = await ceremonies.startAuthentication({ optionsJSON: options });
    return this.adoptReauthentication({ challenge_id: challengeId, response });
  }

  private async adoptReauthentication(body: Record<string, unknown>): Promise<AccessTokenInfo> {
    const epoch = this.epoch;
    if ((await this.current()) === null) throw new AuthError('not_authenticated', 'There is no session to re-authenticate; log in first.');
    const sentAt = this.now();
    const answer = accessTokenResponseOf(await this.callJson('POST', '/auth/reauthenticate', body, 200));
    // Whatever refresh happened meanwhile, its refresh token stays; only the access token is new.
    const session = this.state;
    if (epoch !== this.epoch || session === null) throw new AuthError('not_authenticated', 'The session ended while it was being re-authenticated.');
    const next: StoredSession = { ...session, accessToken: answer.access_token, ...this.lifetimeOf(answer.expires_in, sentAt) };
    this.state = next;
    await this.storage.save(next);
    const tokens: AccessTokenInfo = { expiresIn: answer.expires_in, expiresAt: next.expiresAt, sessionId: sessionIdOf(answer.access_token) };
    this.events.dispatchEvent(new ReauthenticatedEvent(tokens));
    return tokens;
  }

  /** `POST /auth/factors/report` with the token of a factor notice's "this wasn't me" link: removes that factor and ends every session of the account. */
  async reportFactor(token: string): Promise<void> {
    await this.expectStatus(await this.send(this.postJson('/auth/factors/report', { token }, false)), 204);
  }

  /** `POST /auth/password/change`: ends every other session of the user; this one stays. */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await this.call('POST', '/auth/password/change', { current_password: currentPassword, new_password: newPassword }, 204);
  }

  /** `DELETE /me`: deletes the account and everything kept about it; the client is then logged out (`account-deleted`). */
  async deleteAccount(password: string): Promise<void> {
    await this.call('DELETE', '/me', { password }, 204);
    await this.endAndClearCookie('account-deleted');
  }

  /** `POST /auth/mfa/totp/setup`: a new secret that does nothing until `totpConfirm` gets a code for it. */
  async totpSetup(): Promise<TotpEnrolment> {
    return totpEnrolmentOf(await this.callJson('POST', '/auth/mfa/totp/setup', undefined, 200));
  }

  /** `POST /auth/mfa/totp/confirm`: turns TOTP on; resolves to the ten recovery codes, shown this once. */
  async totpConfirm(code: string): Promise<string[]> {
    return recoveryCodesOf(await this.callJson('POST', '/auth/mfa/totp/confirm', { code }, 200));
  }

  /** `POST /auth/mfa/totp/disable`: needs the password and a current code, or a recovery code (`{ recoveryCode }`) when the app is lost. */
  async totpDisable(password: string, answer: string | MfaAnswer): Promise<void> {
    const second = typeof answer === 'string' ? { code: answer } : 'code' in answer ? { code: answer.code } : { recovery_code: answer.recoveryCode };
    await this.call('POST', '/auth/mfa/totp/disable', { password, ...second }, 204);
  }

  /** `POST /auth/mfa/recovery-codes`: replaces the recovery codes; the old ones stop working. */
  async regenerateRecoveryCodes(password: string): Promise<string[]> {
    return recoveryCodesOf(await this.callJson('POST', '/auth/mfa/recovery-codes', { password }, 200));
  }

  /** `POST /auth/passkeys/register/options`: creation options for the browser's ceremony. */
  async passkeyRegisterOptions(): Promise<PasskeyCreationOptionsJSON> {
    return creationOptionsOf(await this.callJson('POST', '/auth/passkeys/register/options', undefined, 200));
  }

  /** `POST /auth/passkeys/register/verify` with the browser's `RegistrationResponseJSON`. */
  async passkeyRegisterVerify(response: PasskeyCredentialJSON, name?: string): Promise<RegisteredPasskey> {
    return registeredPasskeyOf(await this.callJson('POST', '/auth/passkeys/register/verify', { response, ...(name ? { name } : {}) }, 201));
  }

  /**
   * Registers a passkey for the signed-in user: options, the browser's ceremony (the `webauthn`
   * option), verify. The name is checked first (`checkPasskeyName`, `invalid_request` with status 0),
   * so that a name the service would refuse never leaves an unstored credential on the device.
   */
  async registerPasskey(name?: string): Promise<RegisteredPasskey> {
    const checkedName = checkPasskeyName(name);
    const ceremonies = this.ceremonies();
    const optionsJSON = await this.passkeyRegisterOptions();
    const response = await ceremonies.startRegistration({ optionsJSON });
    return this.passkeyRegisterVerify(response, checkedName);
  }

  /** `GET /auth/passkeys` */
  async listPasskeys(): Promise<Passkey[]> {
    return passkeysOf(await this.callJson('GET', '/auth/passkeys', undefined, 200));
  }

  /** `DELETE /auth/passkeys/{id}` */
  async deletePasskey(id: string): Promise<void> {
    await this.call('DELETE', `/auth/passkeys/${encodeURIComponent(id)}`, undefined, 204);
  }

  /** `POST /auth/passkeys/login/options`: with an email, that account's credentials; without, any discoverable one. */
  async passkeyLoginOptions(email?: string): Promise<PasskeyLoginOptions> {
    const response = await this.send(this.postJson('/auth/passkeys/login/options', email === undefined ? {} : { email }, false));
    await this.expectStatus(response, 200);
    return passkeyLoginOptionsOf(await readJson(response));
  }

  /** `POST /auth/passkeys/login/verify` with the browser's `AuthenticationResponseJSON`; logs in with this client's delivery. */
  async passkeyLoginVerify(challengeId: string, response: PasskeyCredentialJSON): Promise<TokenInfo> {
    const sentAt = this.now();
    const answer = await this.send(
      this.postJson('/auth/passkeys/login/verify', { challenge_id: challengeId, response, refresh_token_delivery: this.delivery }),
    );
    await this.expectStatus(answer, 200);
    return this.adoptLogin(answer, sentAt);
  }

  /** Logs in with a passkey: options, the browser's ceremony (the `webauthn` option), verify. No TOTP is asked. */
  async loginWithPasskey(email?: string): Promise<TokenInfo> {
    const { challengeId, options } = await this.passkeyLoginOptions(email);
    const response = await this.ceremonies().startAuthentication({ optionsJSON: options });
    return this.passkeyLoginVerify(challengeId, response);
  }

  private ceremonies(): WebAuthnAdapter {
    if (this.webauthn === undefined) throw new TypeError('Passkey ceremonies need the webauthn option of createAuthClient.');
    return this.webauthn;
  }

  /** A call with the access token (see `fetch`) that must answer `expected`. */
  private async call(method: string, path: string, json: unknown, expected: number): Promise<Response> {
    const init: RequestInit = json === undefined ? { method } : { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(json) };
    const response = await this.fetch(path, init);
    await this.expectStatus(response, expected);
    return response;
  }

  private async callJson(method: string, path: string, json: unknown, expected: number): Promise<Record<string, unknown>> {
    return readJson(await this.call(method, path, json, expected));
  }

  private async expectStatus(response: Response, expected: number): Promise<void> {
    if (response.status !== expected) throw await errorFromResponse(response);
    // A 2xx the contract gives no body: free the connection.
    if (expected === 204 || expected === 202) void response.body?.cancel().catch(() => undefined);
  }

  /**
   * `fetch` with the access token. A string without a scheme is a path under `baseUrl`
   * (`client.fetch('/me')`). The token goes only to URLs under `baseUrl`. It refreshes first
   * when the token is about to expire; on a 401 that refused the access token (not one with a
   * handler's code such as `invalid_credentials`) it refreshes once (shared by every concurrent
   * caller) and retries once, returning whatever the retry answers. Rejects with an `AuthError`
   * when the refresh is refused (the client is then logged out) or the network fails.
   */
  async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = new Request(typeof input === 'string' && !ABSOLUTE_URL.test(input) ? this.urlOf(input) : input, init);
    if (!this.isUnderBase(request.url)) return this.send(request);
    const token = await this.accessToken();
    if (token === undefined) return this.send(request);
    const first = await this.send(request.clone(), token);
    if (!(await refusedAccessToken(first))) return first;
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

  /** When a token of `expiresIn` seconds, asked for at `sentAt`, expires and when to refresh it. */
  private lifetimeOf(expiresIn: number, sentAt: number): Pick<StoredSession, 'expiresAt' | 'refreshAt'> {
    const lifetimeMs = expiresIn * 1000;
    return { expiresAt: sentAt + lifetimeMs, refreshAt: sentAt + Math.max(lifetimeMs - this.leewayMs, lifetimeMs / 2) };
  }

  private async adopt(body: TokenResponse, sentAt: number, event: 'logged-in' | 'refreshed'): Promise<Refreshed> {
    const session: StoredSession = {
      accessToken: body.access_token,
      ...this.lifetimeOf(body.expires_in, sentAt),
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

  /**
   * The session is over on the server; with cookie delivery, also ask it to clear the now useless
   * cookie. `logged-out` comes after that answer, so a page that reloads on it finds no cookie.
   */
  private async endAndClearCookie(reason: LoggedOutReason, error?: AuthError): Promise<void> {
    await this.end(reason, false);
    if (this.delivery === 'cookie') await this.send(this.postJson('/auth/logout', undefined)).catch(() => undefined);
    this.events.dispatchEvent(new LoggedOutEvent(reason, error));
  }

  /** `withRefreshCookie`: the endpoints that read or set the refresh cookie (login, refresh, logout, the second factor, passkey login). */
  private postJson(path: string, body: unknown, withRefreshCookie = true): Request {
    return new Request(this.urlOf(path), {
      method: 'POST',
      ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
      // The refresh cookie is sent and stored only with credentials; body delivery never needs a cookie.
      credentials: this.delivery === 'cookie' && withRefreshCookie ? 'include' : 'omit',
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

/** The access token's claims, read without verifying (the server verifies): only for recognising the session and showing what it holds. */
function claimsOf(accessToken: string): Record<string, unknown> | undefined {
  try {
    const payload = accessToken.split('.')[1] ?? '';
    const claims: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The `sid` claim; only to recognise this client's session. */
function sessionIdOf(accessToken: string): string | undefined {
  const sid = claimsOf(accessToken)?.sid;
  return typeof sid === 'string' ? sid : undefined;
}
