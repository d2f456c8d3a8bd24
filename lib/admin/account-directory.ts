import type { Account } from '../accounts/user-store';

/**
 * The admin API's listing of accounts: pages of accounts whose email starts with a prefix. Only
 * what a listing shows is read (never a password hash or a TOTP secret).
 *
 * Emails are already canonical (lib/core/email-address.ts: lower-cased, NFKC), so a prefix is
 * canonicalised the same way before it is searched.
 */
export interface AccountPageQuery {
  /** The canonical beginning of the emails to list; '' lists every account. */
  readonly emailPrefix: string;
  /** Where the previous page ended (the page's `next`); absent for the first page. */
  readonly after?: string | undefined;
  /** At most this many accounts. */
  readonly limit: number;
}

export interface AccountPage {
  readonly accounts: readonly Account[];
  /**
   * Where this page ended, when more may follow. An adapter may end a page early (fewer accounts,
   * even none) to bound the work of one request; the next page goes on from there.
   */
  readonly next?: string | undefined;
}

export interface AccountDirectory {
  list(query: AccountPageQuery): Promise<AccountPage>;
}

/** The in-memory twin (ordered by email), over the memory user store's accounts (by email). */
export function createMemoryAccountDirectory(accounts: ReadonlyMap<string, Account>): AccountDirectory {
  return {
    async list({ emailPrefix, after, limit }) {
      const emails = [...accounts.keys()].filter((email) => email.startsWith(emailPrefix) && (after === undefined || email > after)).sort();
      const page = emails.slice(0, limit);
      return {
        accounts: page.map((email) => withoutSecrets(accounts.get(email)!)),
        ...(emails.length > limit ? { next: page.at(-1) } : {}),
      };
    },
  };
}

const withoutSecrets = (account: Account & { passwordHash?: unknown }): Account => {
  const { passwordHash: _hash, ...listed } = account;
  return listed;
};
