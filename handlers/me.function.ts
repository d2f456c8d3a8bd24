import { httpFunction, route } from '../lib/compose/declaration';
import { users } from '../lib/compose/parts/storage';

export default httpFunction({
  name: 'me',
  routes: [route('get', 'me', 'jwt')],
  parts: {
    users: users('GetItem'),
  },
});
