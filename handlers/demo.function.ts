import { httpFunction, route } from '../lib/compose/declaration';

/** The demo page of the client (docs/client.md): only under npm start and the test servers, never deployed. */
export default httpFunction({
  name: 'demo',
  routes: [route('get', 'demo'), route('get', 'demo/{asset}')],
  localOnly: true,
  parts: {},
});
