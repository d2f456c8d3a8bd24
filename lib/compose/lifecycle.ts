/**
 * Account lifecycle events and the hooks features register for them.
 *
 * When something happens to an account (it is deleted, its password is reset or changed, a second
 * factor is turned on, a factor is reported, it is disabled), each feature that keeps state about
 * it reacts: sessions end, MFA data and passkeys go, one-time tokens are purged. The features
 * register those reactions (FeatureHooks, in their part modules); the composition root lists the
 * features (lib/compose/account-events.ts); a function that raises an event builds
 * `accountEvents(<event>)`, a part whose needs are exactly those of the hooks registered for that
 * event, so its role grows with a new feature's hook without anyone editing the handler.
 *
 * Two phases, because the domain orders them: sessions end first (and a domain flow may sweep them
 * again at its end), then each feature's data goes, in parallel. Hooks must be idempotent: a flow
 * that failed part-way runs them again.
 */
import type { Clock } from '../core/clock';
import { part, type Part } from './part';

export const ACCOUNT_EVENTS = ['deleted', 'passwordReset', 'passwordChanged', 'secondFactorEnabled', 'factorReported', 'mailboxFirstProven', 'disabled'] as const;
/**
 * `mailboxFirstProven`: a password reset that is the account's first proof of its mailbox; what
 * was enrolled before it (TOTP, passkeys) was never proven to belong to the mailbox's owner.
 */
export type AccountEvent = (typeof ACCOUNT_EVENTS)[number];

export interface AccountRef {
  readonly id: string;
  readonly email: string;
}

export interface EventContext {
  /** Epoch ms by which the work must stop (the invocation's deadline). */
  readonly deadline?: number | undefined;
  /** A session that stays (the caller's own, on a password change or when TOTP is turned on). */
  readonly except?: string | undefined;
}

/** Ends sessions of the account; the number ended. */
export type SessionHook = (userId: string, context: EventContext) => Promise<number>;
/** Removes what a feature keeps about the account. */
export type DataHook = (account: AccountRef, context: EventContext) => Promise<void>;

type HookMakers<T, Hook> = Partial<Record<AccountEvent, (built: T, clock: Clock) => Hook>>;

/** A feature's reactions to account events: sessions end first (phase `sessions`), then data goes (`data`). */
export type FeatureHooks<T> =
  | { readonly feature: string; readonly phase: 'sessions'; readonly uses: Part<T>; readonly on: HookMakers<T, SessionHook> }
  | { readonly feature: string; readonly phase: 'data'; readonly uses: Part<T>; readonly on: HookMakers<T, DataHook> };

/** Registers a feature's hooks (typed by the part they use). */
export const featureHooks = <T>(hooks: FeatureHooks<T>): FeatureHooks<unknown> => hooks as FeatureHooks<unknown>;

/** What a function that raises an event calls. */
export interface AccountEventHooks {
  /** Ends the account's sessions (every feature of the sessions phase, one after another); the number ended. */
  endSessions(userId: string, context?: EventContext): Promise<number>;
  /** Removes what each feature keeps for this event (the data phase), in parallel. */
  removeData(account: AccountRef, context?: EventContext): Promise<void>;
}

/** The hooks of `event` among these features, as one part. */
export function accountEventPart(event: AccountEvent, features: readonly FeatureHooks<unknown>[]): Part<AccountEventHooks> {
  const reacting = features.filter((feature) => feature.on[event] !== undefined);
  const uses = Object.fromEntries(reacting.map((feature) => [feature.feature, feature.uses]));
  return part({
    name: `accountEvents:${event}`,
    uses,
    build: (built: Record<string, unknown>, { clock }): AccountEventHooks => {
      const sessions: SessionHook[] = [];
      const data: DataHook[] = [];
      for (const feature of reacting) {
        if (feature.phase === 'sessions') sessions.push(feature.on[event]!(built[feature.feature], clock));
        else data.push(feature.on[event]!(built[feature.feature], clock));
      }
      return {
        endSessions: async (userId, context = {}) => {
          let ended = 0;
          for (const hook of sessions) ended += await hook(userId, context);
          return ended;
        },
        removeData: async (account, context = {}) => void (await Promise.all(data.map((hook) => hook(account, context)))),
      };
    },
  });
}
