import { readOptionalUrl, readRequired, type Env } from '../core/settings';

/** The DynamoDB tables (and DynamoDB Local's endpoint when running locally). */
export interface StorageConfig {
  readonly usersTable: string;
  readonly sessionsTable: string;
  readonly dynamoDbEndpoint: string | undefined;
}

export function loadStorageConfig(env: Env): StorageConfig {
  return Object.freeze({
    usersTable: readRequired(env, 'USERS_TABLE'),
    sessionsTable: readRequired(env, 'SESSIONS_TABLE'),
    dynamoDbEndpoint: readOptionalUrl(env, 'DYNAMODB_ENDPOINT'),
  });
}
