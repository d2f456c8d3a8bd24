/** Logs and metrics of a function: CloudWatch EMF metrics and Powertools' structured logger. */
import { auditingSecurityEvents } from '../audit/audit-trail';
import { createLambdaLogger, type LambdaLogger } from '../aws/lambda-logger';
import { loadServiceConfig } from '../core/config';
import { parseLogLevel } from '../core/logger';
import { createPowertoolsMetrics, type MetricsRecorder } from '../metrics/metrics';
import { metricsNamespace } from '../metrics/names';
import { countingSecurityEvents } from '../metrics/security-metrics';
import { part } from './part';

/** CloudWatch metrics as EMF lines on stdout (no API call), flushed at the end of every invocation. */
export const metrics = /* @__PURE__ */ part({
  name: 'metrics',
  build: (_, { env }): MetricsRecorder => {
    const { service, stage } = loadServiceConfig(env);
    return createPowertoolsMetrics({ namespace: metricsNamespace(service, stage), service });
  },
});

/** Structured logs; a security event is also counted as its metric, and stored where the function keeps an audit trail. */
export const logger = /* @__PURE__ */ part({
  name: 'logger',
  uses: { metrics },
  build: ({ metrics: recorder }, { env }): LambdaLogger => {
    const service = loadServiceConfig(env);
    return countingSecurityEvents(auditingSecurityEvents(createLambdaLogger(parseLogLevel(service.logLevel), service.service)), (name) => recorder.count(name));
  },
});
