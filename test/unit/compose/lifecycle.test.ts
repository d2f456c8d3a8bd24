import { accountEvents, FEATURE_HOOKS } from '../../../lib/compose/account-events';
import { accountEventPart, ACCOUNT_EVENTS, featureHooks } from '../../../lib/compose/lifecycle';
import { compose, needsOf, part } from '../../../lib/compose/part';

const ACCOUNT = { id: 'user-1', email: 'ada@example.com' };

describe('account lifecycle: hooks registered by features, raised by one part per event', () => {
  const calls: string[] = [];
  const store = part({ name: 'store', needs: { tables: { users: ['DeleteItem'] } }, build: () => calls });
  const sessionsFeature = featureHooks({
    feature: 'sessions',
    phase: 'sessions',
    uses: store,
    on: {
      deleted: (log) => async (userId, { except }) => (log.push(`end ${userId} except ${except ?? '-'}`), 2),
    },
  });
  const dataFeature = (name: string, delayMs: number) =>
    featureHooks({
      feature: name,
      phase: 'data',
      uses: store,
      on: {
        deleted: (log) => async (account) => {
          log.push(`${name} start ${account.email}`);
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          log.push(`${name} done`);
        },
      },
    });
  const features = [sessionsFeature, dataFeature('mfa', 20), dataFeature('passkeys', 0)];

  beforeEach(() => calls.splice(0));

  it('ends sessions through the sessions-phase hooks and sums what they ended', async () => {
    const hooks = await compose({}).get(accountEventPart('deleted', features));
    await expect(hooks.endSessions('user-1', { except: 'sid-1' })).resolves.toBe(2);
    expect(calls).toEqual(['end user-1 except sid-1']);
  });

  it('removes every data feature\'s state in parallel, and runs no session hook then', async () => {
    const hooks = await compose({}).get(accountEventPart('deleted', features));
    await hooks.removeData(ACCOUNT);
    expect(calls).toEqual(['mfa start ada@example.com', 'passkeys start ada@example.com', 'passkeys done', 'mfa done']);
  });

  it('is a no-op for an event no feature reacts to, and then needs nothing', async () => {
    const event = accountEventPart('disabled', features.slice(1));
    const hooks = await compose({}).get(event);
    await expect(hooks.endSessions('user-1')).resolves.toBe(0);
    await hooks.removeData(ACCOUNT);
    expect(calls).toEqual([]);
    expect(needsOf([event]).tables).toEqual({});
    expect(needsOf([accountEventPart('deleted', features)]).tables).toEqual({ users: ['DeleteItem'] });
  });
});

describe('the composition root\'s features (lib/compose/account-events.ts)', () => {
  const reacting = (event: (typeof ACCOUNT_EVENTS)[number]) => FEATURE_HOOKS.filter((feature) => feature.on[event] !== undefined).map((feature) => feature.feature);

  it('ends sessions on every event but a first proof of the mailbox, and removes each feature\'s data with the account', () => {
    expect(Object.fromEntries(ACCOUNT_EVENTS.map((event) => [event, reacting(event)]))).toEqual({
      deleted: ['sessions', 'oneTimeTokens', 'mfa', 'passkeys', 'audit'],
      passwordReset: ['sessions'],
      passwordChanged: ['sessions'],
      secondFactorEnabled: ['sessions'],
      factorReported: ['sessions'],
      mailboxFirstProven: ['mfa', 'passkeys'],
      disabled: ['sessions'],
    });
  });

  it('gives a function that raises an event the needs of exactly the hooks registered for it', () => {
    expect(needsOf([accountEvents('passwordChanged')]).tables).toEqual({ sessions: ['UpdateItem'], sessionsByUser: ['Query'] });
    // MFA and passkeys act on the users table: their actions are declared where the function uses the store.
    expect(needsOf([accountEvents('mailboxFirstProven')]).tables).toEqual({});
  });
});
