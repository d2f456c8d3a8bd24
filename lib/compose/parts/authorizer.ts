/**
 * The stateless authorizer's parts: signature and claims only. Nothing here imports an AWS
 * adapter, so its bundle holds no AWS SDK (the session-checking one is ./authorizer-aws.ts).
 */
import { countDecisions } from '../../authorizer/authorizer-metrics';
import { createAuthorizerDeps, type AuthorizerDeps } from '../../authorizer/authorizer';
import { loadServiceConfig } from '../../core/config';
import { createAggregatingEmfCounter } from '../../metrics/emf';
import { metricsNamespace } from '../../metrics/names';
import { part } from '../part';

/**
 * Decisions counted in memory and written at most once a second: a line per request would cost
 * more than an HS256 verify's whole margin to the crypto floor.
 */
export const decisionCounter = /* @__PURE__ */ part({
  name: 'decisionCounter',
  build: (_, { env }) => {
    const { service, stage } = loadServiceConfig(env);
    return createAggregatingEmfCounter({ namespace: metricsNamespace(service, stage), service, now: Date.now, intervalMs: 1_000 });
  },
});

/** The stateless authorizer: keys from JWT_VERIFICATION_KEYS, no secret, no data access. */
export const statelessAuthorizer = /* @__PURE__ */ part({
  name: 'statelessAuthorizer',
  uses: { counter: decisionCounter },
  build: ({ counter }, { env, clock }): Promise<AuthorizerDeps> => createAuthorizerDeps(env, { clock, onDecision: countDecisions(counter) }),
});
