import { authorizerFunction } from '../lib/compose/declaration';
import { statelessAuthorizer } from '../lib/compose/parts/authorizer';

/** The stateless authorizer (one signature check; a jose-only bundle), in the smallest tier. */
export default authorizerFunction({ variant: 'stateless', memory: 128, timeout: 3, parts: { authorizer: statelessAuthorizer } });
