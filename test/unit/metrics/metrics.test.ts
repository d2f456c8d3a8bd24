import { Metrics } from '@aws-lambda-powertools/metrics';
import { createMemoryMetrics, createPowertoolsMetrics } from '../../../lib/metrics/metrics';
import { metricsNamespace } from '../../../lib/metrics/names';
import { countingSecurityEvents } from '../../../lib/metrics/security-metrics';
import { createLogger } from '../../../lib/core/logger';
import * as monitoring from '../../../infra/monitoring.js';

const OPTIONS = { namespace: metricsNamespace('jwt-auth', 'dev'), service: 'jwt-auth' };

/** Runs `act` with stdout and stderr captured (Powertools prints through a Console on process.stdout). */
function captureOutput(act: () => void): { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
  try {
    act();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr };
}

describe('Powertools metrics adapter', () => {
  const savedDev = process.env.POWERTOOLS_DEV;
  beforeEach(() => delete process.env.POWERTOOLS_DEV);
  afterEach(() => (savedDev === undefined ? delete process.env.POWERTOOLS_DEV : (process.env.POWERTOOLS_DEV = savedDev)));

  it('prints one EMF line with the namespace, the service dimension and the counted metrics', () => {
    const recorder = createPowertoolsMetrics(OPTIONS);
    const { stdout } = captureOutput(() => {
      recorder.count('LoginSucceeded');
      recorder.count('RefreshSucceeded');
      recorder.count('RefreshSucceeded');
      recorder.flush();
    });
    expect(stdout).toHaveLength(1);
    const line = JSON.parse(stdout[0]!);
    const [directive] = line._aws.CloudWatchMetrics;
    expect(directive.Namespace).toBe('jwt-auth/dev');
    expect(directive.Dimensions).toEqual([['service']]);
    expect(directive.Metrics.map((metric: { Name: string }) => metric.Name).sort()).toEqual(['LoginSucceeded', 'RefreshSucceeded']);
    expect(line).toMatchObject({ service: 'jwt-auth', LoginSucceeded: 1 });
    expect([line.RefreshSucceeded].flat().reduce((sum: number, value: number) => sum + value, 0)).toBe(2);
  });

  it('prints nothing, and no "no metrics" warning, when nothing was counted', () => {
    const recorder = createPowertoolsMetrics(OPTIONS);
    const output = captureOutput(() => recorder.flush());
    expect(output).toEqual({ stdout: [], stderr: [] });
  });

  it('prints a reason-tagged metric at once, with the Reason dimension, apart from the others', () => {
    const recorder = createPowertoolsMetrics(OPTIONS);
    const { stdout } = captureOutput(() => {
      recorder.count('LoginFailed');
      recorder.count('AuthorizerDenied', { Reason: 'expired' });
    });
    expect(stdout).toHaveLength(1);
    const line = JSON.parse(stdout[0]!);
    expect(line._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'Reason']]);
    expect(line).toMatchObject({ service: 'jwt-auth', Reason: 'expired', AuthorizerDenied: 1 });
    expect(line.LoginFailed).toBeUndefined();
  });

  it('clears what it flushed: a second flush prints nothing', () => {
    const recorder = createPowertoolsMetrics(OPTIONS, new Metrics({ namespace: OPTIONS.namespace, serviceName: OPTIONS.service }));
    const { stdout } = captureOutput(() => {
      recorder.count('AccountDeleted');
      recorder.flush();
      recorder.flush();
    });
    expect(stdout).toHaveLength(1);
    expect(JSON.parse(stdout[0]!)).toMatchObject({ AccountDeleted: 1 });
  });
});

describe('in-memory metrics', () => {
  it('records counts and dimensions, and marks them flushed', () => {
    const metrics = createMemoryMetrics();
    metrics.count('LoginFailed');
    metrics.count('LoginFailed');
    metrics.count('AuthorizerDenied', { Reason: 'no_token' });
    expect(metrics.total('LoginFailed')).toBe(2);
    expect(metrics.total('LoginSucceeded')).toBe(0);
    expect(metrics.recorded.every((entry) => !entry.flushed)).toBe(true);
    metrics.flush();
    expect(metrics.recorded).toEqual([
      { name: 'LoginFailed', dimensions: undefined, flushed: true },
      { name: 'LoginFailed', dimensions: undefined, flushed: true },
      { name: 'AuthorizerDenied', dimensions: { Reason: 'no_token' }, flushed: true },
    ]);
  });
});

describe('metrics namespace', () => {
  it('is the same rule in lib/metrics and in the alarms of infra/monitoring.js', () => {
    for (const [service, stage] of [['jwt-auth', 'prod'], ['my-auth', 'dev']] as const) {
      expect(monitoring.metricsNamespace(service, stage)).toBe(metricsNamespace(service, stage));
    }
  });

  it('alarm thresholds must be positive numbers, and the error names the deploy parameter', () => {
    const valid = { api5xxRatePercent: 1, lambdaErrors: 1, lambdaThrottles: 1, dynamoDbThrottles: 5, dynamoDbSystemErrors: 1, loginFailed: 100, authorizerP99Ms: 250, emailSendFailed: 1, emailAbandoned: 1 };
    expect(monitoring.parseThresholds(valid)).toEqual(valid);
    expect(() => monitoring.parseThresholds({ ...valid, loginFailed: 'lots' })).toThrow(/alarmLoginFailed must be a positive number/);
    expect(() => monitoring.parseThresholds({ ...valid, authorizerP99Ms: 0 })).toThrow(/alarmAuthorizerP99Ms must be a positive number/);
  });
});

describe('security events that are metrics', () => {
  it('counts every email given up (email_abandoned) as EmailAbandoned, the metric of the email-abandoned alarm', () => {
    const counted: string[] = [];
    const logger = countingSecurityEvents(createLogger('silent'), (name) => counted.push(name));
    logger.child({ requestId: 'r' }).security('email_abandoned', { userId: 'u', kind: 'verify_email' });
    logger.security('email_send_failed', { userId: 'u', kind: 'verify_email' });
    expect(counted).toEqual(['EmailAbandoned', 'EmailSendFailed']);
  });
});
