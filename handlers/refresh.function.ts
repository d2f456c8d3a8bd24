import { httpFunction, route } from '../lib/compose/declaration';
import { sessionIssuer } from '../lib/compose/parts/sessions';

export default httpFunction({
  name: 'refresh',
  routes: [route('post', 'auth/refresh')],
  parts: {
    sessions: sessionIssuer,
  },
});
