'use strict';
// @ts-check
/**
 * The DynamoDB tables, defined once: serverless.yml deploys these CloudFormation resources, and
 * `npm start` / the tests create the same tables in DynamoDB Local from them.
 */
const { serviceAndStage } = require('./service.js');

/**
 * What CreateTable takes too (scripts/dev/dynamodb-local.ts creates the same tables locally).
 * @typedef {{ AttributeName: string, KeyType: 'HASH' | 'RANGE' }} KeySchemaElement
 * @typedef {{
 *   TableName: string,
 *   AttributeDefinitions: { AttributeName: string, AttributeType: 'S' | 'N' | 'B' }[],
 *   KeySchema: KeySchemaElement[],
 *   GlobalSecondaryIndexes?: { IndexName: string, KeySchema: KeySchemaElement[], Projection: { ProjectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE', NonKeyAttributes?: string[] } }[],
 *   BillingMode: 'PAY_PER_REQUEST' | 'PROVISIONED',
 *   TimeToLiveSpecification: { AttributeName: string, Enabled: boolean },
 *   PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: boolean },
 *   SSESpecification: { SSEEnabled: boolean },
 *   DeletionProtectionEnabled: boolean,
 * }} TableProperties
 * @typedef {{ Type: 'AWS::DynamoDB::Table', DeletionPolicy: 'Delete' | 'Retain', UpdateReplacePolicy: 'Delete' | 'Retain', Properties: TableProperties }} TableResource
 */

/**
 * The deployed tables' names for a service and stage.
 * @param {string} service
 * @param {string} stage
 * @returns {{ users: string, sessions: string, emailOutbox: string, audit: string, clients: string }}
 */
const tableNames = (service, stage) => ({
  users: `${service}-${stage}-users`,
  sessions: `${service}-${stage}-sessions`,
  emailOutbox: `${service}-${stage}-email-outbox`,
  audit: `${service}-${stage}-audit`,
  clients: `${service}-${stage}-clients`,
});

/** The audit table's indexes (lib/aws/dynamodb-audit-store.ts): every event, and events of one type, newest first. */
const AUDIT_INDEXES = Object.freeze({ all: 'allByTime', byType: 'byTypeAndTime' });

/**
 * CloudFormation resources for a service and stage.
 * @param {string} service
 * @param {string} stage
 * @returns {{ UsersTable: TableResource, SessionsTable: TableResource, EmailOutboxTable: TableResource, AuditTable: TableResource, ClientsTable: TableResource }}
 */
function tableResources(service, stage) {
  const names = tableNames(service, stage);
  /** @type {Pick<TableProperties, 'BillingMode' | 'TimeToLiveSpecification' | 'PointInTimeRecoverySpecification' | 'SSESpecification' | 'DeletionProtectionEnabled'>} */
  const common = {
    BillingMode: 'PAY_PER_REQUEST',
    TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    SSESpecification: { SSEEnabled: true },
    // A stray `serverless remove` on a real stage must not drop every account and session.
    DeletionProtectionEnabled: stage !== 'dev',
  };
  /** @type {Pick<TableResource, 'DeletionPolicy' | 'UpdateReplacePolicy'>} */
  const retention = {
    DeletionPolicy: stage === 'dev' ? 'Delete' : 'Retain',
    UpdateReplacePolicy: stage === 'dev' ? 'Delete' : 'Retain',
  };
  return {
    UsersTable: {
      Type: 'AWS::DynamoDB::Table',
      ...retention,
      Properties: {
        TableName: names.users,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        ...common,
      },
    },
    SessionsTable: {
      Type: 'AWS::DynamoDB::Table',
      ...retention,
      Properties: {
        TableName: names.sessions,
        AttributeDefinitions: [
          { AttributeName: 'id', AttributeType: 'S' },
          { AttributeName: 'liveUserId', AttributeType: 'S' },
          { AttributeName: 'createdAt', AttributeType: 'N' },
        ],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            // Sparse: `liveUserId` is removed when a session is revoked, so listing and
            // logout-all never read ended sessions. It projects only what never changes after
            // login, so a refresh (the hot path) writes the item and no index entry.
            IndexName: 'liveByUser',
            KeySchema: [
              { AttributeName: 'liveUserId', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['absoluteExpiresAt'] },
          },
        ],
        ...common,
      },
    },
    // Emails that could not be sent, kept for a retry (lib/email/outbox.ts): only failures land
    // here, so one partition (`queue`) holds them all and one Query finds what is due.
    EmailOutboxTable: {
      Type: 'AWS::DynamoDB::Table',
      ...retention,
      Properties: {
        TableName: names.emailOutbox,
        AttributeDefinitions: [
          { AttributeName: 'queue', AttributeType: 'S' },
          { AttributeName: 'id', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'queue', KeyType: 'HASH' },
          { AttributeName: 'id', KeyType: 'RANGE' },
        ],
        ...common,
      },
    },
    // Security events (lib/audit): one partition per user, sorted by `at` (time, then id) so a
    // user's events read newest first; `ttl` ends them after AUDIT_RETENTION_DAYS. The admin's
    // listing reads every event (`feed` is one value for all) or one type through the indexes.
    // One feed partition takes every write: fine at an identity service's rate of security events;
    // a very large deployment would shard `feed`.
    AuditTable: {
      Type: 'AWS::DynamoDB::Table',
      ...retention,
      Properties: {
        TableName: names.audit,
        AttributeDefinitions: [
          { AttributeName: 'userId', AttributeType: 'S' },
          { AttributeName: 'at', AttributeType: 'S' },
          { AttributeName: 'feed', AttributeType: 'S' },
          { AttributeName: 'type', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'userId', KeyType: 'HASH' },
          { AttributeName: 'at', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: AUDIT_INDEXES.all,
            KeySchema: [
              { AttributeName: 'feed', KeyType: 'HASH' },
              { AttributeName: 'at', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: AUDIT_INDEXES.byType,
            KeySchema: [
              { AttributeName: 'type', KeyType: 'HASH' },
              { AttributeName: 'at', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        ...common,
      },
    },
    // OAuth clients (lib/oauth): one item per client, keyed by its id. Few and rarely written;
    // the admin's listing scans it (it holds nothing else).
    ClientsTable: {
      Type: 'AWS::DynamoDB::Table',
      ...retention,
      Properties: {
        TableName: names.clients,
        AttributeDefinitions: [{ AttributeName: 'clientId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'clientId', KeyType: 'HASH' }],
        ...common,
      },
    },
  };
}

/**
 * For serverless.yml: `${file(./infra/tables.js):resources}`.
 * @param {import('./types').VariableSources} sources
 */
async function resources({ resolveVariable }) {
  const { service, stage } = await serviceAndStage(resolveVariable);
  return tableResources(service, stage);
}

/**
 * For serverless.yml: `${file(./infra/tables.js):names}`.
 * @param {import('./types').VariableSources} sources
 */
async function names({ resolveVariable }) {
  const { service, stage } = await serviceAndStage(resolveVariable);
  return tableNames(service, stage);
}

module.exports = { tableNames, tableResources, resources, names, AUDIT_INDEXES };
