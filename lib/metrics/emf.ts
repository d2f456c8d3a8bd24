/**
 * A tiny CloudWatch Embedded Metric Format writer for the stateless authorizer, which must stay
 * small and fast: no dependency, and per request only a number is put into a prebuilt string.
 * CloudWatch turns each line into metrics on arrival; no API call is made.
 * Spec: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import {
  REASON_DIMENSION,
  SERVICE_DIMENSION,
  type AuthorizerDenyReason,
  type DimensionArgs,
  type MetricName,
  type ReasonDimensions,
} from './names';

export interface EmfRecord {
  readonly namespace: string;
  readonly service: string;
  /** Counts per metric; all of them share the dimensions below. */
  readonly metrics: Partial<Record<MetricName, number>>;
  readonly dimensions?: ReasonDimensions | undefined;
  /** With a `Reason`: false publishes only the per-reason metric (when a total is written apart). */
  readonly withTotal?: boolean | undefined;
  /** Epoch milliseconds. */
  readonly timestamp: number;
}

/**
 * One EMF line (no newline). With a `Reason`, the metrics are published twice: per service and per
 * service and reason, so a total needs no metric math and the breakdown is still there.
 */
export function emfLine(record: EmfRecord): string {
  const dimensionSets: string[][] = record.dimensions && record.withTotal === false ? [] : [[SERVICE_DIMENSION]];
  const values: Record<string, string | number> = { [SERVICE_DIMENSION]: record.service };
  if (record.dimensions) {
    dimensionSets.push([SERVICE_DIMENSION, REASON_DIMENSION]);
    values[REASON_DIMENSION] = record.dimensions.Reason;
  }
  const names = Object.keys(record.metrics) as MetricName[];
  for (const name of names) values[name] = record.metrics[name]!;
  return JSON.stringify({
    _aws: {
      Timestamp: record.timestamp,
      CloudWatchMetrics: [{ Namespace: record.namespace, Dimensions: dimensionSets, Metrics: names.map((name) => ({ Name: name, Unit: 'Count' })) }],
    },
    ...values,
  });
}

export interface EmfCounter {
  /** Counts one occurrence (written with the next line of the counter). */
  count<Name extends MetricName>(name: Name, ...dimensions: DimensionArgs<Name>): void;
}

export interface EmfCounterOptions {
  readonly namespace: string;
  readonly service: string;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** Receives a complete line, newline included; `process.stdout.write` by default (Lambda's console prefixes lines, which hides them from EMF extraction). */
  readonly write?: ((line: string) => void) | undefined;
}

export interface AggregatingEmfCounter extends EmfCounter {
  /** Writes what was counted since the last write (one line per reason, one for the rest). */
  flush(): void;
}

/**
 * The authorizer's counter: sums in memory and writes at most once per `intervalMs` (on the count
 * that finds the interval over), stamped with the start of the window. A busy authorizer then pays
 * one write per interval instead of one per request (a write costs more than an HS256 verify's
 * margin to the crypto floor). The price: counts of a container's last interval are written at its
 * next invocation, or lost if Lambda retires it first.
 */
export function createAggregatingEmfCounter(options: EmfCounterOptions & { readonly intervalMs: number }): AggregatingEmfCounter {
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  let windowStart: number | undefined;
  let plain: Partial<Record<MetricName, number>> = {};
  let byReason = new Map<AuthorizerDenyReason, number>();
  const base = { namespace: options.namespace, service: options.service };
  const flush = () => {
    if (windowStart === undefined) return;
    const timestamp = windowStart;
    const lines = [emfLine({ ...base, metrics: plain, timestamp })];
    // The total is in the plain line; the per-reason lines must not count it again.
    for (const [reason, count] of byReason) lines.push(emfLine({ ...base, metrics: { AuthorizerDenied: count }, dimensions: { Reason: reason }, withTotal: false, timestamp }));
    windowStart = undefined;
    plain = {};
    byReason = new Map();
    write(`${lines.join('\n')}\n`);
  };
  return {
    count(name, ...dimensions) {
      const now = options.now();
      if (windowStart === undefined) windowStart = now;
      plain[name] = (plain[name] ?? 0) + 1;
      const reason = (dimensions[0] as ReasonDimensions | undefined)?.Reason;
      if (reason !== undefined) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
      if (now - windowStart >= options.intervalMs) flush();
    },
    flush,
  };
}
