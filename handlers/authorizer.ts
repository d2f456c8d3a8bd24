import { createAuthorizerHandler } from '../lib/authorizer';
import { createAuthorizerDeps } from '../lib/authorizer-setup';

/** The stateless authorizer: signature and claims only; its bundle holds no AWS SDK. */
export const handler = createAuthorizerHandler(createAuthorizerDeps(process.env));
