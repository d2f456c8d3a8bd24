import { createAuthorizerDeps, createAuthorizerHandler } from '../lib/authorizer/authorizer';

/** The stateless authorizer: signature and claims only; its bundle holds no AWS SDK. */
export const handler = createAuthorizerHandler(createAuthorizerDeps(process.env));
