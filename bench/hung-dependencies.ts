/**
 * A store or a mail service that does not answer, against the running stack: the benchmark's own
 * DynamoDB Local or SES emulator is paused (SIGSTOP), requests are timed, and it is resumed
 * (SIGCONT). Measured: how soon login, refresh, register and forgot-password answer 503 with a
 * hung store, and whether forgot-password still answers known and unknown emails in the same
 * time (its response floor) with a hung SES, and register 201.
 */
import { randomUUID } from 'node:crypto';
import { FORGOT_PASSWORD_RESPONSE_FLOOR_MS } from '../lib/accounts/password-recovery';
import { median } from './stats';

const PASSWORD = 'correct horse battery staple';

/** A hung store must be answered 503 (with Retry-After) within this (the contract). */
export const HUNG_STORE_GOAL_MS = 5_000;
/** Known and unknown emails' forgot-password medians may differ by at most this with a hung SES. */
export const FORGOT_EQUAL_TIMING_GOAL_MS = 50;

export interface TimedAnswer {
  readonly status: number;
  readonly ms: number;
  readonly retryAfter: string | null;
}

export interface HungDependencyReport {
  /** Per route, one answer per round with the store paused. */
  readonly storeHung: Readonly<Record<string, readonly TimedAnswer[]>>;
  readonly forgotKnown: readonly TimedAnswer[];
  readonly forgotUnknown: readonly TimedAnswer[];
  readonly registerWithSesHung: readonly TimedAnswer[];
  readonly floorMs: number;
}

async function timed(baseUrl: string, method: string, path: string, body?: unknown): Promise<TimedAnswer & { body: Record<string, unknown> | undefined }> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, ms: performance.now() - started, retryAfter: response.headers.get('retry-after'), body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

const email = (prefix: string) => `${prefix}-${randomUUID()}@bench.example.com`;

export async function measureHungDependencies(
  baseUrl: string,
  { dynamoDbPid, sesPid, rounds, forgotSamples }: { dynamoDbPid: number; sesPid: number; rounds: number; forgotSamples: number },
): Promise<HungDependencyReport> {
  const registered = async (prefix: string) => {
    const address = email(prefix);
    const answer = await timed(baseUrl, 'POST', '/auth/register', { email: address, password: PASSWORD });
    if (answer.status !== 201) throw new Error(`register answered ${answer.status}`);
    return address;
  };
  const storeHung: Record<string, TimedAnswer[]> = { 'POST /auth/login': [], 'POST /auth/refresh': [], 'POST /auth/register': [], 'POST /auth/password/forgot': [] };
  const known = await registered('hung-store');
  for (let round = 0; round < rounds; round++) {
    const login = await timed(baseUrl, 'POST', '/auth/login', { email: known, password: PASSWORD });
    const refreshToken = String(login.body?.refresh_token);
    process.kill(dynamoDbPid, 'SIGSTOP');
    try {
      const answers = await Promise.all([
        timed(baseUrl, 'POST', '/auth/login', { email: known, password: PASSWORD }),
        timed(baseUrl, 'POST', '/auth/refresh', { refresh_token: refreshToken }),
        timed(baseUrl, 'POST', '/auth/register', { email: email('hung-register'), password: PASSWORD }),
        timed(baseUrl, 'POST', '/auth/password/forgot', { email: known }),
      ]);
      Object.values(storeHung).forEach((list, index) => list.push(strip(answers[index]!)));
    } finally {
      process.kill(dynamoDbPid, 'SIGCONT');
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  // One account per known-email request: a second reset email within a minute is throttled before SES is called.
  const accounts: string[] = [];
  for (let index = 0; index < forgotSamples; index++) accounts.push(await registered('hung-ses'));
  const forgotKnown: TimedAnswer[] = [];
  const forgotUnknown: TimedAnswer[] = [];
  const registerWithSesHung: TimedAnswer[] = [];
  process.kill(sesPid, 'SIGSTOP');
  try {
    for (const account of accounts) {
      forgotKnown.push(strip(await timed(baseUrl, 'POST', '/auth/password/forgot', { email: account })));
      forgotUnknown.push(strip(await timed(baseUrl, 'POST', '/auth/password/forgot', { email: email('nobody') })));
    }
    for (let round = 0; round < rounds; round++) registerWithSesHung.push(strip(await timed(baseUrl, 'POST', '/auth/register', { email: email('hung-ses-register'), password: PASSWORD })));
  } finally {
    process.kill(sesPid, 'SIGCONT');
  }
  return { storeHung, forgotKnown, forgotUnknown, registerWithSesHung, floorMs: FORGOT_PASSWORD_RESPONSE_FLOOR_MS };
}

const strip = ({ status, ms, retryAfter }: TimedAnswer): TimedAnswer => ({ status, ms, retryAfter });

/** Every answer to a hung store was a 503 with Retry-After within the goal. */
export const storeHungMet = (answers: readonly TimedAnswer[]): boolean => answers.every((answer) => answer.status === 503 && answer.retryAfter !== null && answer.ms <= HUNG_STORE_GOAL_MS);

/** Both medians at or above the floor, and within the goal of each other. */
export function forgotTimingMet(report: HungDependencyReport): boolean {
  const [known, unknown] = [median(report.forgotKnown.map((answer) => answer.ms)), median(report.forgotUnknown.map((answer) => answer.ms))];
  const all = [...report.forgotKnown, ...report.forgotUnknown];
  return all.every((answer) => answer.status === 202 && answer.ms >= report.floorMs) && Math.abs(known - unknown) <= FORGOT_EQUAL_TIMING_GOAL_MS;
}
