import { createAggregatingEmfCounter, emfLine } from '../../../lib/metrics/emf';
import { metricsNamespace } from '../../../lib/metrics/names';

const NAMESPACE = metricsNamespace('jwt-auth', 'prod');
const NOW = 1_767_225_600_000;

/**
 * The structure the CloudWatch EMF specification requires, checked by hand so a failure names the
 * rule: a root `_aws` with an integer Timestamp and CloudWatchMetrics directives, each with a
 * Namespace, dimension sets whose names all have a string value at the root, and Count metrics
 * whose names all have a number at the root. Nothing else may be at the root (so no user id or email).
 */
function emfViolations(line: string): string[] {
  const violations: string[] = [];
  const root = JSON.parse(line) as Record<string, unknown>;
  const aws = root._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (!aws || typeof aws !== 'object') return ['no _aws object'];
  if (!Number.isInteger(aws.Timestamp)) violations.push('Timestamp is not an integer');
  if (!Array.isArray(aws.CloudWatchMetrics) || aws.CloudWatchMetrics.length === 0) return [...violations, 'no CloudWatchMetrics'];
  const allowed = new Set(['_aws']);
  for (const directive of aws.CloudWatchMetrics as { Namespace?: unknown; Dimensions?: unknown; Metrics?: unknown }[]) {
    if (typeof directive.Namespace !== 'string' || !directive.Namespace) violations.push('Namespace missing');
    if (!Array.isArray(directive.Dimensions)) violations.push('Dimensions is not an array');
    for (const set of (directive.Dimensions as unknown[]) ?? []) {
      if (!Array.isArray(set) || set.length > 30) violations.push('a dimension set is not an array of at most 30 names');
      for (const name of set as string[]) {
        allowed.add(name);
        if (typeof root[name] !== 'string') violations.push(`dimension ${name} has no string value`);
      }
    }
    if (!Array.isArray(directive.Metrics) || directive.Metrics.length === 0 || directive.Metrics.length > 100) violations.push('Metrics is not 1 to 100 entries');
    for (const metric of (directive.Metrics as { Name?: unknown; Unit?: unknown }[]) ?? []) {
      allowed.add(metric.Name as string);
      if (typeof metric.Name !== 'string') violations.push('a metric has no Name');
      else if (typeof root[metric.Name] !== 'number') violations.push(`metric ${metric.Name} has no number value`);
      if (metric.Unit !== 'Count') violations.push(`metric ${String(metric.Name)} is not a Count`);
    }
  }
  for (const key of Object.keys(root)) if (!allowed.has(key)) violations.push(`unexpected root member ${key}`);
  return violations;
}

describe('emfLine', () => {
  it('writes a valid EMF line with the service dimension for a plain counter', () => {
    const line = emfLine({ namespace: NAMESPACE, service: 'jwt-auth', metrics: { AuthorizerAllowed: 1 }, timestamp: NOW });
    expect(emfViolations(line)).toEqual([]);
    expect(JSON.parse(line)).toEqual({
      _aws: { Timestamp: NOW, CloudWatchMetrics: [{ Namespace: 'jwt-auth/prod', Dimensions: [['service']], Metrics: [{ Name: 'AuthorizerAllowed', Unit: 'Count' }] }] },
      service: 'jwt-auth',
      AuthorizerAllowed: 1,
    });
  });

  it('publishes a denial both as a total and per reason', () => {
    const line = emfLine({ namespace: NAMESPACE, service: 'jwt-auth', metrics: { AuthorizerDenied: 1 }, dimensions: { Reason: 'expired' }, timestamp: NOW });
    expect(emfViolations(line)).toEqual([]);
    const parsed = JSON.parse(line);
    expect(parsed._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service'], ['service', 'Reason']]);
    expect(parsed).toMatchObject({ Reason: 'expired', AuthorizerDenied: 1 });
  });

  it('the validator refuses a line with a user id or a dimension without a value', () => {
    const valid = JSON.parse(emfLine({ namespace: NAMESPACE, service: 'jwt-auth', metrics: { LoginFailed: 1 }, timestamp: NOW }));
    expect(emfViolations(JSON.stringify({ ...valid, userId: 'u-1' }))).toEqual(['unexpected root member userId']);
    const { service: _service, ...withoutService } = valid;
    expect(emfViolations(JSON.stringify(withoutService))).toEqual(['dimension service has no string value']);
  });
});

describe('createAggregatingEmfCounter', () => {
  it('sums counts and writes once the interval is over, stamped with the window start, totals and reasons apart', () => {
    const lines: string[] = [];
    let now = NOW;
    const counter = createAggregatingEmfCounter({ namespace: NAMESPACE, service: 'jwt-auth', now: () => now, write: (chunk) => lines.push(...chunk.trimEnd().split('\n')), intervalMs: 1000 });
    counter.count('AuthorizerAllowed');
    counter.count('AuthorizerDenied', { Reason: 'expired' });
    now += 999;
    counter.count('AuthorizerAllowed');
    expect(lines).toEqual([]);
    now += 1;
    counter.count('AuthorizerDenied', { Reason: 'expired' });
    expect(lines.flatMap(emfViolations)).toEqual([]);
    const parsed = lines.map((line) => JSON.parse(line));
    expect(parsed.map((line) => [line._aws.Timestamp, line._aws.CloudWatchMetrics[0].Dimensions])).toEqual([
      [NOW, [['service']]],
      [NOW, [['service', 'Reason']]],
    ]);
    expect(parsed[0]).toMatchObject({ AuthorizerAllowed: 2, AuthorizerDenied: 2 });
    expect(parsed[1]).toMatchObject({ Reason: 'expired', AuthorizerDenied: 2 });
  });

  it('flush writes what is pending, and nothing when nothing is', () => {
    const lines: string[] = [];
    const counter = createAggregatingEmfCounter({ namespace: NAMESPACE, service: 'jwt-auth', now: () => NOW, write: (chunk) => lines.push(chunk), intervalMs: 60_000 });
    counter.flush();
    expect(lines).toEqual([]);
    counter.count('AuthorizerAllowed');
    counter.flush();
    counter.flush();
    expect(lines.map((line) => JSON.parse(line))).toEqual([JSON.parse(emfLine({ namespace: NAMESPACE, service: 'jwt-auth', metrics: { AuthorizerAllowed: 1 }, timestamp: NOW }))]);
  });
});
