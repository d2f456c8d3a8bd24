import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, type TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../core/errors';
import { awsClientSettings, DYNAMODB_LIMITS, limitEveryCall, type AwsCallLimits } from './aws-call-limits';

export interface DynamoDbOptions {
  readonly endpoint?: string | undefined;
  /** Lets tests and the benchmark count requests per operation. */
  readonly onRequest?: ((operation: string) => void) | undefined;
  /** Asks DynamoDB for the capacity each request consumed (tables and indexes) and reports it. */
  readonly onConsumedCapacity?: ((operation: string, capacity: readonly ConsumedCapacity[]) => void) | undefined;
  /** The functions keep to DYNAMODB_LIMITS; a bulk tool (the benchmark's seeding) may wait longer. */
  readonly limits?: AwsCallLimits | undefined;
}

/** One client per cold start; every call keeps to DYNAMODB_LIMITS and the deadline, so a store that does not answer fails fast with a 503. */
export function createDocumentClient(options: DynamoDbOptions = {}): DynamoDBDocumentClient {
  const limits = options.limits ?? DYNAMODB_LIMITS;
  const client = limitEveryCall(
    new DynamoDBClient({
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...awsClientSettings(limits),
    }),
    limits,
  );
  const { onRequest, onConsumedCapacity } = options;
  if (onRequest || onConsumedCapacity) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName).replace(/Command$/, '');
        onRequest?.(operation);
        if (onConsumedCapacity) (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'INDEXES';
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
        if (onConsumedCapacity && consumed) onConsumedCapacity(operation, Array.isArray(consumed) ? consumed : [consumed]);
        return result;
      },
      { step: 'initialize', name: 'countRequests' },
    );
  }
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

const BUG_ERRORS = new Set(['ValidationException', 'SerializationException']);

/** Storage failures become a 503 that keeps the AWS error as its cause; a malformed request is our bug and stays a 500. */
export function translateStorageError(error: unknown): never {
  const name = error instanceof Error ? error.name : '';
  if (BUG_ERRORS.has(name)) throw error;
  throw new ServiceUnavailableError({ cause: error });
}

export function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof ConditionalCheckFailedException;
}

/** The reason codes of a cancelled transaction, item by item (`None` where an item was not the cause); empty for any other error. */
export function cancellationCodes(error: unknown): string[] {
  return error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None') : [];
}

/** True when a transaction was cancelled by the condition of its item at `index`. */
export function conditionFailedAt(error: unknown, index: number): boolean {
  return cancellationCodes(error)[index] === 'ConditionalCheckFailed';
}

/** The item a cancelled transaction's operation at `index` saw (its ReturnValuesOnConditionCheckFailure: ALL_OLD), unmarshalled. */
export function cancelledItemAt(error: unknown, index: number): Record<string, unknown> | undefined {
  const item = error instanceof TransactionCanceledException ? error.CancellationReasons?.[index]?.Item : undefined;
  return item ? unmarshall(item) : undefined;
}

/** Sends one conditional write: true when it was made, false when its condition failed; any other failure is translated. */
export async function conditionalWrite(send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    return translateStorageError(error);
  }
}

const conflictPause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 30 * (attempt + 1)));

/**
 * Sends a transaction, again (after a short random pause) when concurrent transactions on the
 * same items cancelled it (TransactionConflict), at most `conflictRetries` times. The cancellation
 * codes when a condition failed; undefined when it was written; any other failure is translated.
 */
export async function transactWithRetries(client: DynamoDBDocumentClient, command: TransactWriteCommand, conflictRetries: number): Promise<string[] | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      await client.send(command);
      return undefined;
    } catch (error) {
      const reasons = cancellationCodes(error);
      if (reasons.includes('ConditionalCheckFailed')) return reasons;
      if (reasons.includes('TransactionConflict') && attempt < conflictRetries) {
        await conflictPause(attempt);
        continue;
      }
      return translateStorageError(error);
    }
  }
}
