'use strict';
/**
 * API Gateway CORS (preflight) from CORS_ALLOWED_ORIGINS, the same allow-list the handlers use
 * for their responses and for the cookie CSRF check. No list: no CORS at all, never "*".
 */
function allowedOrigins(raw) {
  return (raw ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

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
