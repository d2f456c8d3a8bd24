import { httpFunction, route } from '../lib/compose/declaration';
import { sessions } from '../lib/compose/parts/storage';

export default httpFunction({
  name: 'endSession',
  routes: [route('delete', 'auth/sessions/{id}', 'jwt')],
  parts: {
    sessions: sessions(['UpdateItem']),
  },
});
