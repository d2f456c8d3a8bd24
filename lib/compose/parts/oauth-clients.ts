/** OAuth client registry parts: the store (its own table) and the secrets' keyed hash. */
import { createDynamoDbClientStore } from '../../aws/dynamodb-client-store';
import { loadClientsTable } from '../../core/config';
import { createClientSecrets, type ClientSecrets } from '../../oauth/client-secret';
import type { ClientStore } from '../../oauth/client-store';
import { part, withNeeds, type Part, type TableAction } from '../part';
import { keyring } from '../secrets';
import { documentClient } from './storage';

export const clientStore = /* @__PURE__ */ part({
  name: 'clientStore',
  uses: { client: documentClient },
  build: ({ client }, { env }): ClientStore => createDynamoDbClientStore(client, loadClientsTable(env)),
});

/** The client store, for a function that performs these actions on the clients table. */
export const clients = (...actions: TableAction[]): Part<ClientStore> => withNeeds(clientStore, { tables: { clients: actions } });

/** Minting and verifying client secrets: the keyring's `oauth-client-secret` key (the hash-key secret). */
export const clientSecrets = /* @__PURE__ */ part({ name: 'clientSecrets', uses: { keyring }, build: (deps): ClientSecrets => createClientSecrets(deps.keyring) });
