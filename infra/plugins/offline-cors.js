'use strict';
// @ts-check
/**
 * serverless-offline answers CORS for REST events its own way: to any request with an Origin it
 * adds `Access-Control-Allow-Origin: <that origin>` and `Access-Control-Allow-Credentials: true`,
 * and it answers every preflight (OPTIONS) with them, whatever the origin. Any web page could then
 * call the local API with the browser's credentials and read the answers. API Gateway answers only
 * the origins of each event's `cors` (infra/cors.js, from CORS_ALLOWED_ORIGINS).
 *
 * This plugin (`serverless offline` only, infra/plugins.js) takes those headers back out of every
 * answer that reflects an origin outside CORS_ALLOWED_ORIGINS. It watches the answers through
 * Node's `http.server.request.start` diagnostics channel, as serverless-offline has no hook for
 * it; headers a handler set itself (the allowed origin it names) are left as they are.
 */
const diagnosticsChannel = require('node:diagnostics_channel');
const { allowedOrigins } = require('../cors.js');

/**
 * The CORS headers to remove from an answer: all of them when it reflects a request's Origin that
 * is not allowed, else none.
 * @param {string | undefined} origin the request's Origin header
 * @param {unknown} allowOrigin the answer's Access-Control-Allow-Origin
 * @param {ReadonlySet<string>} allowed
 * @param {readonly string[]} headerNames the answer's header names (lower case)
 * @returns {string[]}
 */
function headersToRemove(origin, allowOrigin, allowed, headerNames) {
  if (origin === undefined || allowed.has(origin) || allowOrigin !== origin) return [];
  return headerNames.filter((name) => name.startsWith('access-control-'));
}

class OfflineCors {
  static headersToRemove = headersToRemove;

  constructor() {
    this.hooks = { 'before:offline:start:init': () => this.guard() };
  }

  guard() {
    const allowed = new Set(allowedOrigins(process.env.CORS_ALLOWED_ORIGINS));
    diagnosticsChannel.subscribe('http.server.request.start', (message) => {
      const { request, response } = /** @type {{ request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse }} */ (message);
      const origin = request.headers.origin;
      if (origin === undefined || allowed.has(origin)) return;
      const writeHead = response.writeHead;
      // hapi sets each header, then calls writeHead(statusCode).
      response.writeHead = /** @type {typeof writeHead} */ (
        function (/** @type {any[]} */ ...args) {
          for (const name of headersToRemove(origin, response.getHeader('access-control-allow-origin'), allowed, response.getHeaderNames())) response.removeHeader(name);
          return /** @type {Function} */ (writeHead).apply(response, args);
        }
      );
    });
  }
}

module.exports = OfflineCors;
