import { httpFunction, route } from '../lib/compose/declaration';
import { sessions } from '../lib/compose/parts/storage';
import { refreshTokenCodec } from '../lib/compose/parts/tokens';

export default httpFunction({
  name: 'logout',
  routes: [route('post', 'auth/logout')],
  parts: {
    sessions: sessions(['UpdateItem']),
    refreshTokens: refreshTokenCodec,
  },
});
