/**
 * The operator's commands of `npm run admin` (scripts/admin.ts parses the command line and builds
 * the stores): grant-role, revoke-role, list, disable, enable. Each one finds the account by its
 * email, goes through the same domain functions as the admin API (lib/authz/role-change.ts,
 * lib/accounts/account-status.ts) so its change reaches live sessions the same way, and answers
 * the lines to print. Every command is idempotent: run twice, the second run changes nothing and
 * says so (a role command still sweeps the sessions, which heals one the first sweep missed).
 */
import { disableAccount, enableAccount } from '../../lib/accounts/account-status';
import type { AccountCredentials, UserStore } from '../../lib/accounts/user-store';
import { grantRole, revokeRole, type RoleChange, type RoleChangeDeps } from '../../lib/authz/role-change';
import { ROLE_PATTERN } from '../../lib/authz/roles';
import { canonicalEmail } from '../../lib/core/email-address';
import type { Logger } from '../../lib/core/logger';
import { CommandError } from './cli-target';

export const USAGE = [
  'usage: npm run admin -- <command> [--stage <stage> [--region <region>]]',
  '',
  '  grant-role <email> <role>    give the account a role (config/roles.json)',
  '  revoke-role <email> <role>   take a role from the account',
  '  list                         the accounts that hold any role, with their roles',
  '  disable <email>              disable the account and end its sessions',
  '  enable <email>               enable the account again',
  '',
  'Without --stage: the local DynamoDB of `npm start` (127.0.0.1:DYNAMODB_LOCAL_PORT [8000], stage dev).',
  'With --stage: the deployed tables of that stage, with your AWS credentials.',
].join('\n');

/** A refusal the operator can act on: printed as it is, exit code 1 (2 for a wrong command line). */
export class AdminCommandError extends CommandError {
  override readonly name = 'AdminCommandError';
}

export interface AdminDeps extends RoleChangeDeps {
  readonly users: RoleChangeDeps['users'] & Pick<UserStore, 'findByEmail' | 'listWithRoles' | 'setDisabled'>;
  /** Ends every session of the account (as the `disabled` account event does). */
  readonly endSessions: (userId: string) => Promise<number>;
  readonly logger: Logger;
}

const rolesText = (roles: readonly string[]) => (roles.length ? roles.join(' ') : '(none)');
const plural = (count: number, noun: string) => `${count} live session${count === 1 ? '' : 's'} ${noun}`;

/** Runs one command line (after `npm run admin --`); the lines to print. Throws AdminCommandError. */
export async function runAdminCommand(deps: AdminDeps, args: readonly string[]): Promise<string[]> {
  const [command, ...rest] = args;
  switch (command) {
    case 'grant-role':
    case 'revoke-role': {
      const [rawEmail, role] = expectArgs(command, rest, ['email', 'role']);
      if (!ROLE_PATTERN.test(role)) throw new AdminCommandError(`"${role}" is not a role name (^[a-z][a-z0-9_-]{0,31}$)`, 2);
      // A role the map does not know would grant nothing: refused here, where it is most likely a typo.
      if (command === 'grant-role' && !deps.roles.roles.includes(role)) throw new AdminCommandError(`config/roles.json has no role "${role}" (it has: ${deps.roles.roles.join(', ')})`, 2);
      const account = await accountByEmail(deps, rawEmail);
      const change = command === 'grant-role' ? await grantRole(deps, account.id, role) : await revokeRole(deps, account.id, role);
      return [describeRoleChange(command, account, role, change)];
    }
    case 'list': {
      expectArgs(command, rest, []);
      const accounts = await deps.users.listWithRoles();
      if (accounts.length === 0) return ['no account holds a role'];
      return accounts.map((account) => `${account.email}\t${account.id}\t${rolesText(account.roles ?? [])}${account.disabled ? '\t(disabled)' : ''}`);
    }
    case 'disable': {
      const [rawEmail] = expectArgs(command, rest, ['email']);
      const account = await accountByEmail(deps, rawEmail);
      const ended: number[] = [];
      await disableAccount({ users: deps.users, logger: deps.logger, endSessions: async (userId) => (ended.push(await deps.endSessions(userId)), ended.at(-1)!) }, account.id);
      const sessions = plural(ended[0] ?? 0, 'ended');
      return [account.disabled ? `${account.email} (${account.id}) was already disabled; ${sessions}` : `disabled ${account.email} (${account.id}); ${sessions}`];
    }
    case 'enable': {
      const [rawEmail] = expectArgs(command, rest, ['email']);
      const account = await accountByEmail(deps, rawEmail);
      if (!account.disabled) return [`${account.email} (${account.id}) is not disabled; nothing changed`];
      await enableAccount({ users: deps.users, logger: deps.logger }, account.id);
      return [`enabled ${account.email} (${account.id})`];
    }
    case undefined:
    case 'help':
    case '--help':
      throw new AdminCommandError(USAGE, 2);
    default:
      throw new AdminCommandError(`unknown command "${command}"\n\n${USAGE}`, 2);
  }
}

function expectArgs(command: string, rest: readonly string[], names: readonly string[]): string[] {
  if (rest.length !== names.length) throw new AdminCommandError(`${command} takes ${names.length ? names.map((name) => `<${name}>`).join(' ') : 'no arguments'}\n\n${USAGE}`, 2);
  return [...rest];
}

/** The account of an email, in the canonical form the service stores it under; exit 1 when there is none. */
async function accountByEmail(deps: AdminDeps, raw: string): Promise<AccountCredentials> {
  const canonical = canonicalEmail(raw, { allowDotlessDomain: true });
  if (!canonical.ok) throw new AdminCommandError(`"${raw}" is not an email address: ${canonical.problem}`, 2);
  const account = await deps.users.findByEmail(canonical.email);
  if (!account) throw new AdminCommandError(`no account has the email ${canonical.email}`);
  return account;
}

function describeRoleChange(command: 'grant-role' | 'revoke-role', account: AccountCredentials, role: string, change: RoleChange): string {
  const who = `${account.email} (${account.id})`;
  const now = `roles now: ${rolesText(change.after)}; ${plural(change.sessionsUpdated, 'updated')}`;
  if (!change.changed) return command === 'grant-role' ? `${who} already has ${role}; ${now}` : `${who} does not have ${role}; ${now}`;
  return command === 'grant-role' ? `granted ${role} to ${who}; ${now}` : `revoked ${role} from ${who}; ${now}`;
}
