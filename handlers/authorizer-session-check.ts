import type { AuthorizerEvent } from '../lib/authorizer/authorizer';
import { createAuthorizerHandler } from '../lib/authorizer/authorizer';
import { root } from '../lib/compose/production';
import { invocationDeadline, withDeadline } from '../lib/core/deadline';
import declaration from './authorizer-session-check.function';

/**
 * The authorizer that talks to AWS: it reads an HS256 secret from SSM and, with
 * AUTHORIZER_CHECK_SESSION=true, refuses tokens whose session has ended. The default
 * (asymmetric keys, no session check) is handlers/authorizer.ts, which bundles no AWS SDK.
 */
const authorize = createAuthorizerHandler(() => root.get(declaration.parts.authorizer));

/**
 * Its 3-second timeout leaves 2 s for the session read, which is then abandoned (a refusal:
 * `session_check_failed`), so a store that does not answer never makes it time out.
 */
const MARGIN_MS = 1_000;

export const handler = (event: AuthorizerEvent, context?: { getRemainingTimeInMillis(): number }) =>
  context ? withDeadline(invocationDeadline(context, MARGIN_MS), () => authorize(event)) : authorize(event);
