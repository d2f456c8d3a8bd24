'use strict';
// @ts-check
/**
 * Serverless has no setting for REST API stage throttling, so this local plugin adds it to the
 * deployment's stage, from `custom.apiThrottling` ({ rateLimit, burstLimit }).
 * It also makes the optional WAF association wait for the deployment that creates the stage.
 */
const { dependOnDeployment } = require('../waf.js');

class ApiStageSettings {
  /** @param {import('../types').Serverless} serverless */
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:package:finalize': () => this.addThrottling(),
      // resources: from serverless.yml are merged in only at this step.
      'after:aws:package:finalize:mergeCustomProviderResources': () => dependOnDeployment(this.serverless.service.provider.compiledCloudFormationTemplate),
    };
  }

  addThrottling() {
    const { service } = this.serverless;
    const template = service.provider.compiledCloudFormationTemplate;
    const rate = Number(service.custom?.apiThrottling?.rateLimit);
    const burst = Number(service.custom?.apiThrottling?.burstLimit);
    if (!(rate > 0) || !(burst > 0)) throw new Error('custom.apiThrottling needs a positive rateLimit and burstLimit');
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::ApiGateway::Deployment' || !resource.Properties) continue;
      resource.Properties.StageDescription = {
        ...(resource.Properties.StageDescription ?? {}),
        ThrottlingRateLimit: rate,
        ThrottlingBurstLimit: burst,
        MethodSettings: [{ ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst }],
      };
    }
  }
}

module.exports = ApiStageSettings;
