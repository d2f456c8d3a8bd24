import { createAuthorizerDeps, createAuthorizerHandler } from '../lib/authorizer/authorizer';
import { readEnvironment } from '../lib/core/config';

/** The stateless authorizer: signature and claims only; its bundle holds no AWS SDK. */
export const handler = createAuthorizerHandler(() => createAuthorizerDeps(readEnvironment()));
