import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock';
import { NotFoundError } from '../core/errors';
import type { PasswordHasher } from './password';
import type { UserStore } from '../aws/dynamodb-user-store';

export interface AccountView {
  readonly id: string;
  readonly email: string;
  readonly created_at: string;
}

export interface AccountServiceDeps {
  readonly clock: Clock;
  readonly users: UserStore;
  readonly passwords: PasswordHasher;
}

export type AccountService = ReturnType<typeof createAccountService>;

export function createAccountService({ clock, users, passwords }: AccountServiceDeps) {
  return {
    /** Creates an account; the email is already normalised and the password within policy. */
    async register(email: string, password: string): Promise<AccountView> {
      const passwordHash = await passwords.hash(password);
      const user = { id: randomUUID(), email, passwordHash, createdAt: clock.now() };
      await users.create(user);
      return { id: user.id, email: user.email, created_at: new Date(user.createdAt).toISOString() };
    },

    async describe(userId: string): Promise<{ id: string; email: string }> {
      const user = await users.findById(userId);
      if (!user) throw new NotFoundError('The account');
      return { id: user.id, email: user.email };
    },
  };
}
