import { createAuthorizerDeps, createAuthorizerHandler } from '../lib/authorizer/authorizer';
import { countDecisions } from '../lib/authorizer/authorizer-metrics';
import { loadServiceConfig, readEnvironment } from '../lib/core/config';
import { createAggregatingEmfCounter } from '../lib/metrics/emf';
import { metricsNamespace } from '../lib/metrics/names';

const env = readEnvironment();
const { service, stage } = loadServiceConfig(env);
// Summed in memory and written at most once a second: a line per request would cost more than
// an HS256 verify's whole margin to the crypto floor.
const counter = createAggregatingEmfCounter({ namespace: metricsNamespace(service, stage), service, now: Date.now, intervalMs: 1_000 });

/** The stateless authorizer: signature and claims only; its bundle holds no AWS SDK. */
export const handler = createAuthorizerHandler(() => createAuthorizerDeps(env, { onDecision: countDecisions(counter) }));
