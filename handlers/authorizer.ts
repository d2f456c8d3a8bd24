import { createAuthorizerHandler } from '../lib/authorizer/authorizer';
import { root } from '../lib/compose/production';
import declaration from './authorizer.function';

/** The stateless authorizer: signature and claims only; its bundle holds no AWS SDK. */
export const handler = createAuthorizerHandler(() => root.get(declaration.parts.authorizer));
