/**
 * The commands of `npm run clients` (scripts/clients.ts parses the command line and builds the
 * store): create, list, rotate-secret, delete. Each goes through the client registry the admin API
 * uses (lib/oauth/client-registry.ts), so the rules and the stored shape are the same, and answers
 * the lines to print.
 */
import { InvalidRequestError, NotFoundError } from '../../lib/core/errors';
import type { Clock } from '../../lib/core/clock';
import type { Logger } from '../../lib/core/logger';
import type { ClientSecrets } from '../../lib/oauth/client-secret';
import { deleteClient, listClients, registerClient, rotateClientSecret } from '../../lib/oauth/client-registry';
import type { ClientStore } from '../../lib/oauth/client-store';
import { CommandError } from './cli-target';

export const CLIENTS_USAGE = [
  'usage: npm run clients -- <command> [--stage <stage> [--region <region>]]',
  '',
  '  create --name <name> [--redirect-uri <uri>]... [--post-logout-redirect-uri <uri>]...',
  '         [--resource <uri>]... [--public] [--first-party] [--grant <type>]... [--scope "<scopes>"]',
  '                          register an app; prints it as one JSON object, its secret included (shown once)',
  '  list                    the registered clients: id, name, kind, redirect URIs',
  '  rotate-secret <id>      a new secret for a confidential client (the old one stops working); prints the client',
  '  delete <id>             delete a client',
  '',
  'Without --stage: the local DynamoDB of `npm start` (127.0.0.1:DYNAMODB_LOCAL_PORT [8000], stage dev), secrets hashed with .keys/.',
  'With --stage: the deployed table of that stage and its hash key from SSM, with your AWS credentials.',
].join('\n');

/** The options of `create` as parsed (node:util parseArgs). */
export interface CreateOptions {
  readonly name?: string | undefined;
  readonly 'redirect-uri'?: string[] | undefined;
  readonly 'post-logout-redirect-uri'?: string[] | undefined;
  readonly resource?: string[] | undefined;
  readonly public?: boolean | undefined;
  readonly 'first-party'?: boolean | undefined;
  readonly grant?: string[] | undefined;
  readonly scope?: string | undefined;
}

const CREATE_ONLY = ['name', 'redirect-uri', 'post-logout-redirect-uri', 'resource', 'public', 'first-party', 'grant', 'scope'] as const;

export interface ClientCommandDeps {
  readonly clients: ClientStore;
  /** Built only by the commands that hash a secret (its key may have to be read from SSM). */
  readonly secrets: () => Promise<ClientSecrets>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Runs one command line; the lines to print. Throws CommandError. */
export async function runClientCommand(deps: ClientCommandDeps, positionals: readonly string[], options: CreateOptions): Promise<string[]> {
  const [command, ...rest] = positionals;
  if (command !== 'create') {
    const misplaced = CREATE_ONLY.filter((name) => options[name] !== undefined);
    if (misplaced.length) throw new CommandError(`--${misplaced[0]} goes with create\n\n${CLIENTS_USAGE}`, 2);
  }
  try {
    switch (command) {
      case 'create': {
        expectArgs(command, rest, []);
        if (options.name === undefined) throw new CommandError(`create needs --name <name>\n\n${CLIENTS_USAGE}`, 2);
        const created = await registerClient({ ...deps, secrets: await deps.secrets() }, metadataOf(options));
        return [JSON.stringify(created)];
      }
      case 'list': {
        expectArgs(command, rest, []);
        const lines: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await listClients(deps, { cursor });
          for (const client of page.clients) lines.push([client.client_id, client.client_name, client.token_endpoint_auth_method === 'none' ? 'public' : 'confidential', client.redirect_uris.join(' ') || '-'].join('\t'));
          cursor = page.next_cursor;
        } while (cursor);
        return lines.length ? lines : ['no client is registered'];
      }
      case 'rotate-secret': {
        const [id] = expectArgs(command, rest, ['id']);
        return [JSON.stringify(await rotateClientSecret({ ...deps, secrets: await deps.secrets() }, id))];
      }
      case 'delete': {
        const [id] = expectArgs(command, rest, ['id']);
        await deleteClient(deps, id);
        return [`deleted client ${id}`];
      }
      default:
        throw new CommandError(`${command === undefined ? 'no command given' : `unknown command "${command}"`}\n\n${CLIENTS_USAGE}`, 2);
    }
  } catch (error) {
    // The registry's contract errors, said as the CLI says things: a bad option is a wrong command line (2), an unknown id a refusal (1).
    if (error instanceof InvalidRequestError) throw new CommandError(error.message.replace(/^Invalid request: /, ''), command === 'create' ? 2 : 1);
    if (error instanceof NotFoundError) throw new CommandError(`no client has the id ${rest[0]}`);
    throw error;
  }
}

/** The command-line options as RFC 7591 metadata: what is not given takes the registry's default. */
function metadataOf(options: CreateOptions): Record<string, unknown> {
  return {
    client_name: options.name,
    ...(options['redirect-uri'] ? { redirect_uris: options['redirect-uri'] } : {}),
    ...(options['post-logout-redirect-uri'] ? { post_logout_redirect_uris: options['post-logout-redirect-uri'] } : {}),
    ...(options.resource ? { allowed_resources: options.resource } : {}),
    ...(options.grant ? { grant_types: options.grant } : {}),
    ...(options.scope !== undefined ? { scope: options.scope } : {}),
    token_endpoint_auth_method: options.public ? 'none' : 'client_secret_basic',
    first_party: options['first-party'] === true,
  };
}

function expectArgs<N extends readonly string[]>(command: string, args: readonly string[], names: N): { [K in keyof N]: string } {
  if (args.length !== names.length) {
    throw new CommandError(`${command} takes ${names.length ? names.map((name) => `<${name}>`).join(' ') : 'no argument'}\n\n${CLIENTS_USAGE}`, 2);
  }
  return args as unknown as { [K in keyof N]: string };
}
