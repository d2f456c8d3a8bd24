import { httpFunction, route } from '../lib/compose/declaration';
import { sessions } from '../lib/compose/parts/storage';
import { sessionCursors } from '../lib/compose/parts/tokens';

export default httpFunction({
  name: 'listSessions',
  routes: [route('get', 'auth/sessions', 'jwt')],
  parts: {
    sessions: sessions(['BatchGetItem'], ['Query']),
    cursors: sessionCursors,
  },
});
