/**
 * The metrics port of the handlers: count an event, flush at the end of an invocation. The
 * Powertools adapter writes CloudWatch EMF lines to stdout (no API call); the in-memory one is
 * for tests.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { REASON_DIMENSION, type DimensionArgs, type MetricName, type ReasonDimensions } from './names';

export interface MetricsRecorder {
  /** Counts one occurrence of an event. */
  count<Name extends MetricName>(name: Name, ...dimensions: DimensionArgs<Name>): void;
  /** Writes what was counted since the last flush; nothing (and no warning) when nothing was. */
  flush(): void;
}

export interface MetricsOptions {
  /** From `metricsNamespace(service, stage)`. */
  readonly namespace: string;
  /** The value of the `service` dimension. */
  readonly service: string;
}

/**
 * Powertools Metrics behind the port. Lines are printed by a Console on `process.stdout` (not the
 * Lambda runtime's patched console), so they are raw JSON both on Lambda and under npm start.
 * Powertools turns metrics off when POWERTOOLS_DEV is set, unless POWERTOOLS_METRICS_DISABLED=false.
 */
export function createPowertoolsMetrics(options: MetricsOptions, metrics = new Metrics({ namespace: options.namespace, serviceName: options.service })): MetricsRecorder {
  return {
    count(name, ...dimensions) {
      const reason = (dimensions[0] as ReasonDimensions | undefined)?.Reason;
      if (reason === undefined) {
        metrics.addMetric(name, MetricUnit.Count, 1);
        return;
      }
      // A dimension on the shared instance would apply to every metric of the flush: this one alone gets it.
      const single = metrics.singleMetric();
      single.addDimension(REASON_DIMENSION, reason);
      single.addMetric(name, MetricUnit.Count, 1);
    },
    flush() {
      // publishStoredMetrics() warns "No application metrics to publish" on an empty buffer.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}

export interface RecordedMetric {
  readonly name: MetricName;
  readonly dimensions?: ReasonDimensions | undefined;
  readonly flushed: boolean;
}

export interface MemoryMetrics extends MetricsRecorder {
  /** Every count so far, in order. */
  readonly recorded: readonly RecordedMetric[];
  /** How many times a metric was counted (flushed or not). */
  total(name: MetricName): number;
}

/** An in-memory recorder for tests. */
export function createMemoryMetrics(): MemoryMetrics {
  const recorded: { name: MetricName; dimensions?: ReasonDimensions | undefined; flushed: boolean }[] = [];
  return {
    recorded,
    count(name, ...dimensions) {
      recorded.push({ name, dimensions: dimensions[0] as ReasonDimensions | undefined, flushed: false });
    },
    flush() {
      for (const entry of recorded) entry.flushed = true;
    },
    total: (name) => recorded.filter((entry) => entry.name === name).length,
  };
}
