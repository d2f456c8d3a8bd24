/**
 * The composition root's list of features that react to account events (lib/compose/lifecycle.ts).
 * A new feature that keeps state about an account registers its hooks in its part module and is
 * added here; no handler or domain flow changes, and each function that raises an event gets the
 * new hooks' needs in its role.
 */
import { accountEventPart, type AccountEvent, type AccountEventHooks } from './lifecycle';
import type { Part } from './part';
import { oneTimeTokenHooks } from './parts/accounts';
import { auditHooks } from './parts/audit';
import { mfaHooks } from './parts/mfa';
import { passkeyHooks } from './parts/passkeys';
import { sessionHooks } from './parts/sessions';

export const FEATURE_HOOKS = [sessionHooks, oneTimeTokenHooks, mfaHooks, passkeyHooks, auditHooks] as const;

/** The part a function builds to raise `event`: `events: accountEvents('deleted')`. */
export const accountEvents = (event: AccountEvent): Part<AccountEventHooks> => accountEventPart(event, FEATURE_HOOKS);
