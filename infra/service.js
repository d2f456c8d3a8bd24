'use strict';
// @ts-check

/**
 * The service name and stage, for the variable files serverless.yml reads.
 * @param {import('./types').ResolveVariable} resolveVariable
 * @returns {Promise<{ service: string, stage: string }>}
 */
async function serviceAndStage(resolveVariable) {
  const [service, stage] = await Promise.all([resolveVariable('self:service'), resolveVariable('sls:stage')]);
  return { service: String(service), stage: String(stage) };
}

module.exports = { serviceAndStage };
