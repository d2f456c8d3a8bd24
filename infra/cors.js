'use strict';
// @ts-check
/**
 * API Gateway CORS (preflight) from CORS_ALLOWED_ORIGINS, the same allow-list the handlers use
 * for their responses and for the cookie CSRF check. No list: no CORS at all, never "*".
 */

/**
 * The origins of a comma-separated list, trimmed, empty entries dropped.
 * @param {string | undefined} raw
 * @returns {string[]}
 */
function allowedOrigins(raw) {
  return (raw ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

/**
 * For serverless.yml: `${file(./infra/cors.js):cors}`, the `cors` setting of each http event.
 * @returns {Promise<false | { origins: string[], headers: string[], allowCredentials: boolean, maxAge: number }>}
 */
async function cors() {
  const origins = allowedOrigins(process.env.CORS_ALLOWED_ORIGINS);
  if (origins.length === 0) return false;
  return {
    origins,
    headers: ['Content-Type', 'Authorization'],
    allowCredentials: true,
    maxAge: 600,
  };
}

module.exports = { cors, allowedOrigins };
