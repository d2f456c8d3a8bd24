'use strict';
// @ts-check
/**
 * The `demo` function of serverless.yml, defined only for local development (`npm start` and the
 * test servers set AUTH_LOCAL_DEV): a deployed stack has no demo page, no extra function and no
 * extra role. Elsewhere this is null, and Serverless drops a function whose definition is null.
 * @returns {{ handler: string, memorySize: number, events: { http: { path: string, method: string } }[] } | null}
 */
function definition() {
  if (process.env.AUTH_LOCAL_DEV !== 'true') return null;
  return {
    handler: 'handlers/demo.handler',
    memorySize: 256,
    events: [{ http: { path: 'demo', method: 'get' } }, { http: { path: 'demo/{asset}', method: 'get' } }],
  };
}

module.exports = { definition };
