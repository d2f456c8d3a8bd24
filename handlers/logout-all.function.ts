import { httpFunction, route } from '../lib/compose/declaration';
import { sessionEnder } from '../lib/compose/parts/storage';

export default httpFunction({
  name: 'logoutAll',
  routes: [route('post', 'auth/logout-all', 'jwt')],
  parts: {
    sessions: sessionEnder,
  },
});
