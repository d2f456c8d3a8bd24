import { randomUUID } from 'node:crypto';
import { createMemoryAccountDirectory, type AccountDirectory } from '../../../lib/admin/account-directory';
import { createMemoryUserStore } from '../../../lib/accounts/memory-user-store';
import type { UserStore } from '../../../lib/accounts/user-store';
import { createDynamoDbAccountDirectory } from '../../../lib/aws/dynamodb-account-directory';
import { createDynamoDbUserStore } from '../../../lib/aws/dynamodb-user-store';
import { describeContract, localDynamoDb } from '../../support/store-contract';

const local = localDynamoDb();
const NOW = Date.now();

interface Stores {
  readonly users: UserStore;
  readonly directory: AccountDirectory;
}

/** Every account of a prefix, page after page (a DynamoDB page may be short, even empty, while `next` says more may follow). */
async function listAll(directory: AccountDirectory, emailPrefix: string, limit: number) {
  const pages: string[][] = [];
  let after: string | undefined;
  do {
    const page = await directory.list({ emailPrefix, after, limit });
    expect(page.accounts.length).toBeLessThanOrEqual(limit);
    pages.push(page.accounts.map((account) => account.email));
    after = page.next;
  } while (after !== undefined && pages.length < 1000);
  return pages;
}

describeContract<Stores>(
  'account directory',
  {
    memory: () => {
      const users = createMemoryUserStore();
      return { users, directory: createMemoryAccountDirectory(users.accounts) };
    },
    dynamodb: () => ({ users: createDynamoDbUserStore(local.client, local.usersTable), directory: createDynamoDbAccountDirectory(local.client, local.usersTable) }),
  },
  (build) => {
    const { users, directory } = build();
    const tag = randomUUID().slice(0, 8);
    const emails = Array.from({ length: 7 }, (_, index) => `dir-${tag}-${index}@example.com`);

    beforeAll(async () => {
      for (const [index, email] of emails.entries()) {
        await users.create({ id: randomUUID(), email, passwordHash: 'secret-hash', createdAt: NOW + index, emailVerified: index % 2 === 0, mfaEnabled: false, credentialsVersion: 0 });
      }
      await users.create({ id: randomUUID(), email: `other-${tag}@example.com`, passwordHash: 'secret-hash', createdAt: NOW, emailVerified: false, mfaEnabled: false, credentialsVersion: 0 });
    });

    it('lists exactly the accounts of a prefix, each once, in pages of at most the limit', async () => {
      const pages = await listAll(directory, `dir-${tag}`, 3);
      expect(pages.flat().sort()).toEqual([...emails].sort());
    });

    it('lists what an account shows and never its password hash; a disabled account says so', async () => {
      const target = (await users.findByEmail(emails[0]!))!;
      await users.setDisabled(target, true);
      const listed = (await listAll(directory, emails[0]!, 100)).flat();
      expect(listed).toEqual([emails[0]]);
      const [account] = await listAllAccounts(directory, emails[0]!);
      expect(account).toMatchObject({ id: target.id, email: emails[0], emailVerified: true, disabled: true, createdAt: NOW });
      expect((account as { passwordHash?: string }).passwordHash).toBeUndefined();
    });

    it('lists nothing for a prefix no account has', async () => {
      expect((await listAll(directory, `nobody-${tag}`, 100)).flat()).toEqual([]);
    });
  },
);

async function listAllAccounts(directory: AccountDirectory, emailPrefix: string) {
  const accounts = [];
  let after: string | undefined;
  do {
    const page = await directory.list({ emailPrefix, after, limit: 100 });
    accounts.push(...page.accounts);
    after = page.next;
  } while (after !== undefined);
  return accounts;
}
