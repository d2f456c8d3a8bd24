import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock';
import { AccountDisabledError, NotFoundError } from '../core/errors';
import type { PasswordHasher } from './password';
import { FIRST_CREDENTIALS_VERSION, type AccountCredentials, type UserStore } from './user-store';

export interface AccountView {
  readonly id: string;
  readonly email: string;
  readonly created_at: string;
}

/** Creates an account; the email is already normalised and the password within policy. */
export async function register(deps: { clock: Clock; users: UserStore; passwords: PasswordHasher }, email: string, password: string): Promise<AccountView & { readonly userId: string }> {
  const passwordHash = await deps.passwords.hash(password);
  const account = { id: randomUUID(), email, passwordHash, createdAt: deps.clock.now(), emailVerified: false, mfaEnabled: false, credentialsVersion: FIRST_CREDENTIALS_VERSION };
  await deps.users.create(account);
  return { userId: account.id, id: account.id, email: account.email, created_at: new Date(account.createdAt).toISOString() };
}

/** The caller's account; one deleted while its access token lives is not found (404). */
export async function accountOf(users: Pick<UserStore, 'findById'>, userId: string): Promise<AccountCredentials> {
  const account = await users.findById(userId);
  if (!account) throw new NotFoundError('The account');
  return account;
}

/** Who the caller is; a disabled account's still-valid access token gets 403 account_disabled. */
export async function describeAccount(deps: { users: UserStore }, userId: string) {
  const account = await accountOf(deps.users, userId);
  if (account.disabled) throw new AccountDisabledError();
  return { id: account.id, email: account.email, email_verified: account.emailVerified, mfa_enabled: account.mfaEnabled };
}
