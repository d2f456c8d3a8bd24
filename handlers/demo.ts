import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { demoScript } from '../demo/bundle';
import { basePathOf, DEMO_CSS, renderDemoPage } from '../demo/page';

// Same-origin only: the page talks to the API it is served from, and runs no inline code.
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

const respond = (statusCode: number, contentType: string, body: string): APIGatewayProxyResult => ({
  statusCode,
  headers: { ...SECURITY_HEADERS, 'Content-Type': contentType },
  body,
});

const notFound = (message: string) => respond(404, 'application/json', JSON.stringify({ error: 'not_found', message }));

/**
 * `GET /demo` (the page), `GET /demo/app.js` (its script with the client) and `GET /demo/app.css`.
 * A local development aid: it answers 404 where the sources are not at hand (a deployed package).
 */
export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const script = await demoScript();
  if (script === undefined) return notFound('The demo is served only by npm start, next to the sources.');
  switch (event.pathParameters?.asset) {
    case undefined:
      return respond(200, 'text/html; charset=utf-8', renderDemoPage(basePathOf(event.requestContext?.stage ?? 'dev')));
    case 'app.js':
      return respond(200, 'text/javascript; charset=utf-8', script);
    case 'app.css':
      return respond(200, 'text/css; charset=utf-8', DEMO_CSS);
    default:
      return notFound('The demo has no such file.');
  }
};
