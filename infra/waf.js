'use strict';
// @ts-check
/**
 * An optional AWS WAF web ACL on the API stage (deploy parameter `waf=true`): a rate limit per
 * client IP over the whole API, and a lower one on the endpoints that check a credential. The
 * per-email login lockout lets anyone lock an account by failing on purpose; a per-IP limit makes
 * that (and password spraying across many accounts) slow from one address. docs/operations.md
 * ("Rate limits per client") says more. Refused requests get the contract's JSON shape: 429 too_many_requests.
 */
const { serviceAndStage } = require('./service.js');

// Paths that take a password, a code or an assertion: what an attacker repeats.
const CREDENTIAL_PATHS = ['/auth/login', '/auth/register', '/auth/password/forgot', '/auth/password/reset', '/auth/mfa/verify', '/auth/passkeys/login/verify', '/auth/reauthenticate'];
const WINDOW_SECONDS = 300;
const BODY_KEY = 'too_many_requests';

/** @param {string} metricName */
const visibility = (metricName) => ({ SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: metricName });

const blockWith429 = { Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: BODY_KEY } } };

/**
 * The path, wherever it stands in the URI path after percent-decoding and lower-casing, so a
 * trailing slash or an encoded letter (`/auth/logi%6E`) cannot step around the stricter limit.
 * @param {string} path
 */
const pathContains = (path) => ({
  ByteMatchStatement: {
    FieldToMatch: { UriPath: {} },
    PositionalConstraint: 'CONTAINS',
    SearchString: path,
    TextTransformations: [
      { Priority: 0, Type: 'URL_DECODE' },
      { Priority: 1, Type: 'LOWERCASE' },
    ],
  },
});

/**
 * Whole positive numbers within WAF's bounds for a rate-based rule, or an error naming the parameter.
 * @param {string} name
 * @param {unknown} raw
 * @returns {number}
 */
function parseLimit(name, raw) {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 10 || value > 2_000_000_000) throw new Error(`${name} must be a whole number from 10 to 2000000000, got "${raw}"`);
  return value;
}

/**
 * The web ACL and its association with the stage.
 * @param {{ service: string, stage: string, rateLimit: number, credentialRateLimit: number }} options limits per IP per 5 minutes
 * @returns {import('./types').Resources}
 */
function wafResources({ service, stage, rateLimit, credentialRateLimit }) {
  const prefix = `${service}-${stage}`;
  return {
    WebAcl: {
      Type: 'AWS::WAFv2::WebACL',
      Properties: {
        Name: `${prefix}-api`,
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        VisibilityConfig: visibility(`${prefix}-api`),
        CustomResponseBodies: {
          [BODY_KEY]: {
            ContentType: 'APPLICATION_JSON',
            Content: JSON.stringify({ error: 'too_many_requests', message: 'Too many requests from this address; try again in a few minutes.' }),
          },
        },
        Rules: [
          {
            Name: 'credential-endpoints-per-ip',
            Priority: 0,
            Action: blockWith429,
            Statement: {
              RateBasedStatement: {
                Limit: credentialRateLimit,
                EvaluationWindowSec: WINDOW_SECONDS,
                AggregateKeyType: 'IP',
                ScopeDownStatement: { OrStatement: { Statements: CREDENTIAL_PATHS.map(pathContains) } },
              },
            },
            VisibilityConfig: visibility(`${prefix}-credential-endpoints-per-ip`),
          },
          {
            Name: 'all-requests-per-ip',
            Priority: 1,
            Action: blockWith429,
            Statement: { RateBasedStatement: { Limit: rateLimit, EvaluationWindowSec: WINDOW_SECONDS, AggregateKeyType: 'IP' } },
            VisibilityConfig: visibility(`${prefix}-all-requests-per-ip`),
          },
        ],
      },
    },
    // The stage is created by serverless' AWS::ApiGateway::Deployment, whose logical id changes per
    // deploy: infra/plugins/api-stage-settings.js makes this wait for it (dependOnDeployment below).
    WebAclAssociation: {
      Type: 'AWS::WAFv2::WebACLAssociation',
      Properties: {
        ResourceArn: { 'Fn::Sub': `arn:\${AWS::Partition}:apigateway:\${AWS::Region}::/restapis/\${ApiGatewayRestApi}/stages/${stage}` },
        WebACLArn: { 'Fn::GetAtt': ['WebAcl', 'Arn'] },
      },
    },
  };
}

/**
 * For a packaging hook: the association waits for the deployment that creates the stage.
 * @param {import('./types').Template} template
 */
function dependOnDeployment(template) {
  const association = template.Resources.WebAclAssociation;
  if (!association) return;
  const deployments = Object.keys(template.Resources).filter((id) => template.Resources[id].Type === 'AWS::ApiGateway::Deployment');
  association.DependsOn = [...new Set([...[association.DependsOn ?? []].flat(), ...deployments])];
}

/**
 * For serverless.yml: `${file(./infra/waf.js):resources}`; nothing unless `--param="waf=true"`.
 * @param {import('./types').VariableSources} sources
 * @returns {Promise<import('./types').Resources>}
 */
async function resources({ resolveVariable }) {
  const enabled = String(await resolveVariable("param:waf, 'false'")).trim() === 'true';
  if (!enabled) return {};
  const { service, stage } = await serviceAndStage(resolveVariable);
  return wafResources({
    service,
    stage,
    rateLimit: parseLimit('wafRateLimit', await resolveVariable('param:wafRateLimit')),
    credentialRateLimit: parseLimit('wafCredentialRateLimit', await resolveVariable('param:wafCredentialRateLimit')),
  });
}

module.exports = { resources, wafResources, dependOnDeployment, CREDENTIAL_PATHS };
