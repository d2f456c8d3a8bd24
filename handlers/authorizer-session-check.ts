import { createAuthorizerDeps, createAuthorizerHandler } from '../lib/authorizer/authorizer';
import { countDecisions } from '../lib/authorizer/authorizer-metrics';
import { loadServiceConfig, readEnvironment } from '../lib/core/config';
import { createAggregatingEmfCounter } from '../lib/metrics/emf';
import { metricsNamespace } from '../lib/metrics/names';
import { resolveSecrets } from '../lib/aws/secrets';
import { createSessionLivenessCheck } from '../lib/authorizer/session-check';
import { createDocumentClient } from '../lib/aws/dynamodb';
import { createDynamoDbSessionStore } from '../lib/aws/dynamodb-session-store';
import { invocationDeadline, withDeadline } from '../lib/core/deadline';
import type { AuthorizerEvent } from '../lib/authorizer/authorizer';

/**
 * The authorizer that talks to AWS: it reads an HS256 secret from SSM and, with
 * AUTHORIZER_CHECK_SESSION=true, refuses tokens whose session has ended. The default
 * (asymmetric keys, no session check) is handlers/authorizer.ts, which bundles no AWS SDK.
 */
// Only an HS256 authorizer needs a secret (the shared key); it never reads the hash key.
const env = readEnvironment();
const { service, stage } = loadServiceConfig(env);
const counter = createAggregatingEmfCounter({ namespace: metricsNamespace(service, stage), service, now: Date.now, intervalMs: 1_000 });
const secretsNeeded = env.JWT_ALG === 'HS256' ? (['JWT_PRIVATE_KEY'] as const) : [];

const authorize = createAuthorizerHandler(() =>
  resolveSecrets(env, undefined, secretsNeeded).then((resolved) =>
    createAuthorizerDeps(resolved, {
      onDecision: countDecisions(counter),
      sessionCheck: (config, clock) =>
        createSessionLivenessCheck(
          createDynamoDbSessionStore(createDocumentClient({ endpoint: config.dynamoDbEndpoint }), config.sessionsTable!),
          clock,
        ),
    }),
  ),
);

/**
 * Its 3-second timeout leaves 2 s for the session read, which is then abandoned (a refusal:
 * `session_check_failed`), so a store that does not answer never makes it time out.
 */
const MARGIN_MS = 1_000;

export const handler = (event: AuthorizerEvent, context?: { getRemainingTimeInMillis(): number }) =>
  context ? withDeadline(invocationDeadline(context, MARGIN_MS), () => authorize(event)) : authorize(event);
