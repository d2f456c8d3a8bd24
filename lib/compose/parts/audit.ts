/**
 * Audit trail parts: the store, the writer a recording function declares (`audit: auditTrail`,
 * PutItem only), the readers, and the feature's reaction to an account's deletion.
 */
import { createAuditCursorCodec } from '../../audit/audit-cursor';
import { survivesAccountDeletion } from '../../audit/audit-event';
import type { AuditStore } from '../../audit/audit-store';
import { createAuditTrail, type AuditTrail } from '../../audit/audit-trail';
import { createDynamoDbAuditStore } from '../../aws/dynamodb-audit-store';
import { loadAuditConfig } from '../../core/config';
import { featureHooks } from '../lifecycle';
import { metrics } from '../observability';
import { part, withNeeds } from '../part';
import { keyring } from '../secrets';
import { documentClient } from './storage';

export const auditConfig = /* @__PURE__ */ part({ name: 'auditConfig', build: (_, { env }) => loadAuditConfig(env) });
export const auditStore = /* @__PURE__ */ part({
  name: 'auditStore',
  uses: { client: documentClient, config: auditConfig },
  build: ({ client, config }): AuditStore => createDynamoDbAuditStore(client, config.table),
});

/**
 * Records the security events of the function that lists it (lib/audit/audit-trail.ts): the HTTP
 * wrapper finds it among the function's parts. One PutItem per event.
 */
export const auditTrail = /* @__PURE__ */ part({
  name: 'auditTrail',
  needs: { tables: { audit: ['PutItem'] } },
  uses: { store: auditStore, config: auditConfig, metrics },
  build: ({ store, config, metrics: recorder }, { clock }): AuditTrail =>
    createAuditTrail({ store, clock, retentionDays: config.retentionDays, countMiss: () => recorder.count('AuditWriteFailed') }),
});

/** One user's events (the user's own listing): Query on the table. */
export const auditReader = /* @__PURE__ */ withNeeds(auditStore, { tables: { audit: ['Query'] } });
/** Every event, or one user's or one type's (the admin's listing): Query on the table and its indexes. */
export const auditFeedReader = /* @__PURE__ */ withNeeds(auditStore, { tables: { audit: ['Query'], auditAll: ['Query'], auditByType: ['Query'] } });
export const auditCursors = /* @__PURE__ */ part({ name: 'auditCursors', uses: { keyring }, build: (deps) => createAuditCursorCodec(deps.keyring) });

/**
 * The audit trail on account events: a deleted account's events go, except the record of the
 * deletion and what admins did to it (kept for the retention period; no event holds an email).
 */
export const auditHooks = /* @__PURE__ */ featureHooks({
  feature: 'audit',
  phase: 'data',
  uses: withNeeds(auditStore, { tables: { audit: ['Query', 'DeleteItem'] } }),
  on: {
    deleted: (audit) => async (account) => void (await audit.purgeUser(account.id, survivesAccountDeletion)),
  },
});
