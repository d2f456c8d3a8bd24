'use strict';
// @ts-check
/** API Gateway responses, the authorizer's invoke permission and the stack outputs. */
const { allowedOrigins } = require('./cors.js');
const { serviceAndStage } = require('./service.js');

/** @param {string} value */
const quoted = (value) => `'${value}'`;

/** Bodies of the responses API Gateway gives by itself, in the contract's `{ error, message }` shape. */
const GATEWAY_ERRORS = {
  invalid_token: { error: 'invalid_token', message: 'The access token is missing, malformed, expired or otherwise invalid.' },
  access_denied: { error: 'access_denied', message: 'The access token does not allow this request.' },
  too_many_requests: { error: 'too_many_requests', message: 'Too many requests; try again in a moment.' },
  not_found: { error: 'not_found', message: 'There is no such endpoint.' },
  payload_too_large: { error: 'payload_too_large', message: 'The request body is too large.' },
  invalid_request: { error: 'invalid_request', message: 'The request was refused.' },
  service_unavailable: { error: 'service_unavailable', message: 'The service cannot answer right now; try again later.' },
};

/**
 * The gateway responses and the authorizer's invoke permission, for the allowed CORS origins.
 * @param {string[]} origins
 * @returns {import('./types').Resources}
 */
function gatewayResources(origins) {
  // Gateway responses cannot match the Origin header, so they name the first allowed origin.
  const cors = origins.length
    ? {
        'gatewayresponse.header.Access-Control-Allow-Origin': quoted(origins[0]),
        'gatewayresponse.header.Access-Control-Allow-Credentials': quoted('true'),
        'gatewayresponse.header.Vary': quoted('Origin'),
      }
    : {};
  /**
   * @param {string} type
   * @param {string | undefined} statusCode
   * @param {{ error: string, message: string }} body
   * @param {Record<string, string>} [extraHeaders]
   */
  const response = (type, statusCode, body, extraHeaders = {}) => ({
    Type: 'AWS::ApiGateway::GatewayResponse',
    Properties: {
      RestApiId: { Ref: 'ApiGatewayRestApi' },
      ResponseType: type,
      ...(statusCode ? { StatusCode: statusCode } : {}),
      ResponseParameters: { ...cors, ...extraHeaders },
      // The contract's error shape, also for what API Gateway answers by itself.
      ResponseTemplates: { 'application/json': JSON.stringify(body) },
    },
  });
  return {
    // RFC 6750: a refused bearer token says so in WWW-Authenticate.
    UnauthorizedGatewayResponse: response('UNAUTHORIZED', '401', GATEWAY_ERRORS.invalid_token, {
      'gatewayresponse.header.WWW-Authenticate': quoted('Bearer error="invalid_token"'),
    }),
    // A valid token the authorizer's policy refuses: RFC 6750's insufficient_scope naming the route's
    // permission, or RFC 9470's step-up error for the MFA authorizer. A gateway response header can
    // be mapped from a context variable (`context.authorizer.<key>`: the context the authorizer
    // returned with its policy, also when API Gateway serves it from its cache), not built from parts,
    // so the authorizer puts the whole value there (lib/authorizer/authorizer.ts www_authenticate).
    AccessDeniedGatewayResponse: response('ACCESS_DENIED', '403', GATEWAY_ERRORS.access_denied, {
      'gatewayresponse.header.WWW-Authenticate': 'context.authorizer.www_authenticate',
    }),
    ThrottledGatewayResponse: response('THROTTLED', '429', GATEWAY_ERRORS.too_many_requests),
    // API Gateway's answer to a path or method it does not know (by default 403 "Missing Authentication Token").
    MissingAuthenticationTokenGatewayResponse: response('MISSING_AUTHENTICATION_TOKEN', '404', GATEWAY_ERRORS.not_found),
    RequestTooLargeGatewayResponse: response('REQUEST_TOO_LARGE', '413', GATEWAY_ERRORS.payload_too_large),
    Default4xxGatewayResponse: response('DEFAULT_4XX', undefined, GATEWAY_ERRORS.invalid_request),
    // Authorizer failures, integration errors and timeouts keep their status (500/502/504) and get this body.
    Default5xxGatewayResponse: response('DEFAULT_5XX', undefined, GATEWAY_ERRORS.service_unavailable),
    AuthorizerInvokePermission: invokePermission('AuthorizerLambdaFunction'),
  };
}

/**
 * Lets any REST or HTTP API of this account attach an authorizer function by ARN.
 * @param {string} functionLogicalId the function's CloudFormation logical id
 * @returns {import('./types').CloudFormationResource}
 */
function invokePermission(functionLogicalId) {
  return {
    Type: 'AWS::Lambda::Permission',
    Properties: {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [functionLogicalId, 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    },
  };
}

/**
 * The stack outputs: the API's URL, its JWKS URL and the authorizer's ARN (exported).
 * @param {string} service
 * @param {string} stage
 * @returns {import('./types').Outputs}
 */
function gatewayOutputs(service, stage) {
  const apiUrl = { 'Fn::Sub': `https://\${ApiGatewayRestApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/${stage}` };
  return {
    ApiUrl: { Description: 'Base URL of the auth API', Value: apiUrl },
    JwksUrl: {
      Description: 'Public keys that verify access tokens',
      Value: { 'Fn::Sub': `https://\${ApiGatewayRestApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/${stage}/.well-known/jwks.json` },
    },
    AuthorizerFunctionArn: {
      Description: 'Attach this Lambda authorizer to your own APIs',
      Value: { 'Fn::GetAtt': ['AuthorizerLambdaFunction', 'Arn'] },
      Export: { Name: `${service}-${stage}-authorizer-arn` },
    },
  };
}

/** For serverless.yml: `${file(./infra/gateway.js):resources}`. */
async function resources() {
  return gatewayResources(allowedOrigins(process.env.CORS_ALLOWED_ORIGINS));
}

/**
 * For serverless.yml: `${file(./infra/gateway.js):outputs}`.
 * @param {import('./types').VariableSources} sources
 */
async function outputs({ resolveVariable }) {
  const { service, stage } = await serviceAndStage(resolveVariable);
  return gatewayOutputs(service, stage);
}

module.exports = { resources, outputs, gatewayResources, gatewayOutputs, invokePermission, GATEWAY_ERRORS };
