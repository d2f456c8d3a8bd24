import { httpFunction, route } from '../lib/compose/declaration';
import { secondFactorStarter } from '../lib/compose/parts/mfa';
import { attemptLimits, loginPolicy, passwordHasher, sessionOpener } from '../lib/compose/parts/sessions';
import { users } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'login',
  routes: [route('post', 'auth/login')],
  memory: 512,
  parts: {
    // Its security events go to the audit trail (PutItem on the audit table).
    audit: auditTrail,
    // UpdateItem/DeleteItem: the login throttle. ConditionCheckItem: the new session is written only
    // while the account still has the password hash the login verified.
    users: users('GetItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'),
    passwords: passwordHasher,
    limits: attemptLimits,
    sessions: sessionOpener,
    policy: loginPolicy,
    secondFactor: secondFactorStarter,
  },
});
