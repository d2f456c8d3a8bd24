import { authorizerFunction } from '../lib/compose/declaration';
import { awsAuthorizer } from '../lib/compose/parts/authorizer-aws';

/** The authorizer that reads an HS256 key from SSM and, with AUTHORIZER_CHECK_SESSION=true, the token's session. */
export default authorizerFunction({ variant: 'session-check', memory: 128, timeout: 3, parts: { authorizer: awsAuthorizer } });
