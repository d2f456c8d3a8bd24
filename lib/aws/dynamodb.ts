import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../core/errors';

export interface DynamoDbOptions {
  readonly endpoint?: string | undefined;
  /** Lets tests and the benchmark count requests per operation. */
  readonly onRequest?: ((operation: string) => void) | undefined;
}

/** One client per cold start; short timeouts so an unreachable store fails fast with a 503. */
export function createDocumentClient(options: DynamoDbOptions = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
  });
  if (options.onRequest) {
    const onRequest = options.onRequest;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        onRequest(String(context.commandName).replace(/Command$/, ''));
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
  }
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

const BUG_ERRORS = new Set(['ValidationException', 'SerializationException']);

/** Storage failures become a 503; a malformed request is our bug and stays a 500. */
export function translateStorageError(error: unknown): never {
  const name = error instanceof Error ? error.name : '';
  if (BUG_ERRORS.has(name)) throw error;
  throw new ServiceUnavailableError({ cause: error });
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
