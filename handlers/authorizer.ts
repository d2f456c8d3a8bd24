import { createAuthorizerHandler } from '../lib/authorizer/authorizer';
import { createAuthorizerDeps } from '../lib/authorizer/authorizer-setup';

/** The stateless authorizer: signature and claims only; its bundle holds no AWS SDK. */
export const handler = createAuthorizerHandler(createAuthorizerDeps(process.env));
