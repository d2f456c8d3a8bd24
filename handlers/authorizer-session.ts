import { createAuthorizerHandler } from '../lib/authorizer';
import { createAuthorizerDeps } from '../lib/authorizer-setup';
import { createSessionLivenessCheck } from '../lib/session-liveness';
import { createDocumentClient } from '../lib/stores/dynamodb';
import { createDynamoDbSessionStore } from '../lib/stores/session-store';

/** The revocation-aware authorizer (AUTHORIZER_CHECK_SESSION=true): also refuses ended sessions. */
export const handler = createAuthorizerHandler(
  createAuthorizerDeps(process.env, {
    sessionCheck: (config, clock) =>
      createSessionLivenessCheck(
        createDynamoDbSessionStore(createDocumentClient({ endpoint: config.dynamoDbEndpoint }), config.sessionsTable!),
        clock,
      ),
  }),
);
