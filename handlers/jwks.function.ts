import { httpFunction, route } from '../lib/compose/declaration';
import { publicJwks } from '../lib/compose/parts/public-keys';

export default httpFunction({
  name: 'jwks',
  routes: [route('get', '.well-known/jwks.json')],
  parts: {
    keys: publicJwks,
  },
});
