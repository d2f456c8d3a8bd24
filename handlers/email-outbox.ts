import { passwordChangedResender, tokenEmailResender } from '../lib/accounts/token-emails';
import { clock, scheduledHandler } from '../lib/compose/runtime';
import { retryDueEmails } from '../lib/email/outbox';
import declaration from './email-outbox.function';

/** Time kept before the deadline: a run stops taking entries then, so the last send can finish. */
const LAST_SEND_ROOM_MS = 5_000;

/** Every minute: sends again the emails that could not be sent (lib/email/outbox.ts). */
export const handler = scheduledHandler(declaration, async ({ outbox, ...deps }, { logger, deadline }) => {
  const summary = await retryDueEmails({
    clock,
    outbox,
    logger,
    resenders: {
      verify_email: tokenEmailResender({ ...deps, clock }, 'verify_email'),
      reset_password: tokenEmailResender({ ...deps, clock }, 'reset_password'),
      password_changed: passwordChangedResender(deps),
    },
  }, { stopAt: deadline === undefined ? undefined : deadline - LAST_SEND_ROOM_MS });
  if (summary.sent + summary.obsolete + summary.postponed + summary.abandoned > 0) logger.info('email outbox run', { ...summary });
});
