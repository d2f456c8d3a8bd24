'use strict';
/** API Gateway responses, the authorizer's invoke permission and the stack outputs. */
const { allowedOrigins } = require('./cors.js');
const { serviceAndStage } = require('./service.js');

const quoted = (value) => `'${value}'`;

function gatewayResources(origins) {
  // Gateway responses cannot match the Origin header, so they name the first allowed origin.
  const cors = origins.length
    ? {
        'gatewayresponse.header.Access-Control-Allow-Origin': quoted(origins[0]),
        'gatewayresponse.header.Access-Control-Allow-Credentials': quoted('true'),
        'gatewayresponse.header.Vary': quoted('Origin'),
      }
    : {};
  const response = (type, statusCode, extraHeaders = {}) => ({
    Type: 'AWS::ApiGateway::GatewayResponse',
    Properties: {
      RestApiId: { Ref: 'ApiGatewayRestApi' },
      ResponseType: type,
      ...(statusCode ? { StatusCode: statusCode } : {}),
      ResponseParameters: { ...cors, ...extraHeaders },
    },
  });
  return {
    // RFC 6750: a refused bearer token says so in WWW-Authenticate.
    UnauthorizedGatewayResponse: response('UNAUTHORIZED', '401', {
      'gatewayresponse.header.WWW-Authenticate': quoted('Bearer error="invalid_token"'),
    }),
    Default4xxGatewayResponse: response('DEFAULT_4XX'),
    Default5xxGatewayResponse: response('DEFAULT_5XX'),
    // Lets any REST or HTTP API of this account attach the authorizer by ARN.
    AuthorizerInvokePermission: {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': ['AuthorizerLambdaFunction', 'Arn'] },
        Principal: 'apigateway.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
      },
    },
  };
}

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

async function resources() {
  return gatewayResources(allowedOrigins(process.env.CORS_ALLOWED_ORIGINS));
}

async function outputs({ resolveVariable }) {
  const { service, stage } = await serviceAndStage(resolveVariable);
  return gatewayOutputs(service, stage);
}

module.exports = { resources, outputs, gatewayResources, gatewayOutputs };
