'use strict';
// @ts-check
/**
 * serverless-offline answers an authorizer's refusal with its own body (hapi's
 * `{"statusCode":401,"error":"Unauthorized",...}`, `403 Forbidden`) and no WWW-Authenticate. On AWS
 * the gateway responses of infra/gateway.js apply: `401 invalid_token` with
 * `WWW-Authenticate: Bearer error="invalid_token"`, and `403 access_denied` whose WWW-Authenticate
 * is the `www_authenticate` value of the authorizer's context (insufficient_scope and the route's
 * permission). This plugin (`serverless offline` only, infra/plugins.js) gives the same answers
 * locally.
 *
 * It watches answers through Node's `http.server.request.start` diagnostics channel (as
 * offline-cors.js does): a 401 or 403 is held until its body is known; a body in hapi's error shape
 * (never one of the service's, which are `{ error, message }`) is replaced. The authorizer's
 * context reaches it through the entry module of every offline bundle (offline-entries.js), which
 * reports each function's answer to a hook on globalThis; an AsyncLocalStorage per request keeps
 * concurrent requests apart.
 */
const { AsyncLocalStorage } = require('node:async_hooks');
const diagnosticsChannel = require('node:diagnostics_channel');
const { GATEWAY_ERRORS } = require('../gateway.js');

/** Where offline-entries.js reports each function's answer. */
const ANSWER_HOOK = Symbol.for('jwt-auth.offline.function-answer');

/**
 * The gateway response for an answer offline gave by itself, or undefined for one of the service's.
 * @param {number} status
 * @param {string} body
 * @param {string | undefined} wwwAuthenticate the authorizer context's value, if it gave one
 * @returns {{ body: { error: string, message: string }, headers: Record<string, string> } | undefined}
 */
function gatewayAnswer(status, body, wwwAuthenticate) {
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  // hapi's Boom error body; the service's errors never carry statusCode.
  if (!parsed || typeof parsed !== 'object' || parsed.statusCode !== status || typeof parsed.error !== 'string') return undefined;
  if (status === 401) return { body: GATEWAY_ERRORS.invalid_token, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
  if (status === 403) return { body: GATEWAY_ERRORS.access_denied, headers: wwwAuthenticate ? { 'www-authenticate': wwwAuthenticate } : {} };
  return undefined;
}

class OfflineGatewayResponses {
  static gatewayAnswer = gatewayAnswer;

  constructor() {
    this.hooks = { 'before:offline:start:init': () => this.apply() };
  }

  apply() {
    /** @type {AsyncLocalStorage<{ wwwAuthenticate?: string }>} */
    const requests = new AsyncLocalStorage();
    /** @type {Record<symbol, unknown>} */ (/** @type {unknown} */ (globalThis))[ANSWER_HOOK] = (/** @type {unknown} */ answer) => {
      const store = requests.getStore();
      const context = answer && typeof answer === 'object' && 'context' in answer ? /** @type {{ context?: Record<string, unknown> }} */ (answer).context : undefined;
      if (store && typeof context?.www_authenticate === 'string') store.wwwAuthenticate = context.www_authenticate;
    };
    diagnosticsChannel.subscribe('http.server.request.start', (message) => {
      const { response } = /** @type {{ response: import('node:http').ServerResponse }} */ (message);
      /** @type {{ wwwAuthenticate?: string }} */
      const store = {};
      requests.enterWith(store);
      const { writeHead, write, end } = response;
      /** @type {{ status: number, rest: any[] } | undefined} */
      let held;
      /** @type {Buffer[]} */
      const chunks = [];
      response.writeHead = /** @type {typeof writeHead} */ (
        function (/** @type {number} */ status, /** @type {any[]} */ ...rest) {
          if (status !== 401 && status !== 403) return /** @type {Function} */ (writeHead).call(response, status, ...rest);
          held = { status, rest };
          return response;
        }
      );
      response.write = /** @type {typeof write} */ (
        function (/** @type {any} */ chunk, /** @type {any} */ encoding, /** @type {any} */ callback) {
          if (!held) return /** @type {Function} */ (write).call(response, chunk, encoding, callback);
          chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? /** @type {BufferEncoding} */ (encoding) : undefined));
          (typeof encoding === 'function' ? encoding : callback)?.();
          return true;
        }
      );
      response.end = /** @type {typeof end} */ (
        function (/** @type {any} */ chunk, /** @type {any} */ encoding, /** @type {any} */ callback) {
          if (!held) return /** @type {Function} */ (end).call(response, chunk, encoding, callback);
          if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? /** @type {BufferEncoding} */ (encoding) : undefined));
          const done = [chunk, encoding, callback].find((value) => typeof value === 'function');
          const { status, rest } = held;
          held = undefined;
          let body = Buffer.concat(chunks);
          const answer = gatewayAnswer(status, body.toString('utf8'), store.wwwAuthenticate);
          if (answer) {
            body = Buffer.from(JSON.stringify(answer.body));
            response.setHeader('content-type', 'application/json; charset=utf-8');
            for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
          }
          response.removeHeader('transfer-encoding');
          response.setHeader('content-length', body.length);
          /** @type {Function} */ (writeHead).call(response, status, ...rest);
          return /** @type {Function} */ (end).call(response, body, done);
        }
      );
    });
  }
}

module.exports = OfflineGatewayResponses;
