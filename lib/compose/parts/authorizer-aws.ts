/** The session-checking authorizer's parts: HS256's shared key from SSM, and the session read. */
import { countDecisions } from '../../authorizer/authorizer-metrics';
import { createAuthorizerDeps, type AuthorizerDeps, type SessionLivenessCheck } from '../../authorizer/authorizer';
import { createSessionLivenessCheck } from '../../authorizer/session-check';
import { createDocumentClient } from '../../aws/dynamodb';
import { createDynamoDbSessionStore } from '../../aws/dynamodb-session-store';
import { resolveSecrets } from '../../aws/secrets';
import type { Clock } from '../../core/clock';
import type { AuthorizerConfig } from '../../core/config';
import { part } from '../part';
import { decisionCounter } from './authorizer';

/** AUTHORIZER_CHECK_SESSION: one GetItem of the token's session (cached briefly). */
export const sessionLiveness = /* @__PURE__ */ part({
  name: 'sessionLiveness',
  needs: { tables: { sessions: ['GetItem'] }, when: { AUTHORIZER_CHECK_SESSION: 'true' } },
  build: () => (config: AuthorizerConfig, clock: Clock): SessionLivenessCheck =>
    createSessionLivenessCheck(createDynamoDbSessionStore(createDocumentClient({ endpoint: config.dynamoDbEndpoint }), config.sessionsTable!), clock),
});

/** The authorizer that talks to AWS: HS256's shared key from SSM, and the session check when it is on. */
export const awsAuthorizer = /* @__PURE__ */ part({
  name: 'awsAuthorizer',
  // Only an HS256 authorizer reads a secret (the shared key); it never reads the hash key.
  needs: { secrets: ['signingKey'], when: { JWT_ALG: 'HS256' } },
  uses: { counter: decisionCounter, sessionCheck: sessionLiveness },
  build: async ({ counter, sessionCheck }, { env, clock }): Promise<AuthorizerDeps> => {
    const resolved = await resolveSecrets(env, undefined, env.JWT_ALG === 'HS256' ? ['JWT_PRIVATE_KEY'] : []);
    return createAuthorizerDeps(resolved, { clock, onDecision: countDecisions(counter), sessionCheck });
  },
});
