'use strict';

/** The service name and stage, for the variable files serverless.yml reads. */
async function serviceAndStage(resolveVariable) {
  const [service, stage] = await Promise.all([resolveVariable('self:service'), resolveVariable('sls:stage')]);
  return { service, stage };
}

module.exports = { serviceAndStage };
