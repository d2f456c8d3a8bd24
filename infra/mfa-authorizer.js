'use strict';
// @ts-check
/**
 * An optional second authorizer that also requires a second factor: the same code as `authorizer`,
 * with AUTHORIZER_REQUIRED_AMR=mfa, so a valid token whose login had no second factor (amr without
 * `mfa`) is refused with 403 access_denied. Attach it to the routes that need MFA, and the plain
 * one to the rest. Deployed only with `--param="mfaAuthorizer=true"`.
 */
const { invokePermission } = require('./gateway.js');
const { serviceAndStage } = require('./service.js');

/**
 * @param {import('./types').VariableSources} sources
 * @returns {Promise<boolean>}
 */
async function enabled({ resolveVariable }) {
  return String(await resolveVariable("param:mfaAuthorizer, 'false'")) === 'true';
}

/**
 * The `authorizerMfa` function of serverless.yml (infra/functions.js adds it when enabled): the
 * authorizer's own handler, with AUTHORIZER_REQUIRED_AMR=mfa.
 * @param {string} handler
 */
function mfaAuthorizerFunction(handler) {
  return {
    handler,
    role: 'AuthorizerMfaRole',
    memorySize: 128,
    timeout: 3,
    environment: { AUTHORIZER_REQUIRED_AMR: 'mfa' },
  };
}

/**
 * Its invoke permission and exported ARN.
 * @param {import('./types').VariableSources} sources
 * @returns {Promise<import('./types').Resources>}
 */
async function resources(sources) {
  if (!(await enabled(sources))) return {};
  return {
    AuthorizerMfaInvokePermission: invokePermission('AuthorizerMfaLambdaFunction'),
  };
}

/**
 * @param {import('./types').VariableSources} sources
 * @returns {Promise<import('./types').Outputs>}
 */
async function outputs(sources) {
  if (!(await enabled(sources))) return {};
  const { service, stage } = await serviceAndStage(sources.resolveVariable);
  return {
    MfaAuthorizerFunctionArn: {
      Description: 'A Lambda authorizer that also requires a second factor (amr contains mfa); attach it to the routes that need MFA',
      Value: { 'Fn::GetAtt': ['AuthorizerMfaLambdaFunction', 'Arn'] },
      Export: { Name: `${service}-${stage}-mfa-authorizer-arn` },
    },
  };
}

module.exports = { mfaAuthorizerEnabled: enabled, mfaAuthorizerFunction, resources, outputs };
