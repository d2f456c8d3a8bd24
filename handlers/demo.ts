import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { demoScript } from '../demo/bundle';
import { basePathOf, DEMO_CSS, renderDemoPage } from '../demo/page';
import { htmlPage } from '../lib/http/html';
import { toApiGatewayResult, type HttpResponse } from '../lib/http/http';

// Same-origin only: the page talks to the API it is served from, loads its own script and styles,
// and has no form that posts anywhere.
const PAGE_OPTIONS = { sameOriginScripts: true, formAction: [] } as const;

const asset = (contentType: string, content: string): HttpResponse => ({
  status: 200,
  headers: { 'X-Content-Type-Options': 'nosniff' },
  text: { contentType, content },
});

const notFound = (message: string): HttpResponse => ({ status: 404, body: { error: 'not_found', message }, headers: { 'X-Content-Type-Options': 'nosniff' } });

/**
 * `GET /demo` (the page), `GET /demo/app.js` (its script with the client) and `GET /demo/app.css`.
 * A local development aid: it answers 404 where the sources are not at hand (a deployed package).
 */
export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const script = await demoScript();
  if (script === undefined) return toApiGatewayResult(notFound('The demo is served only by npm start, next to the sources.'), {});
  switch (event.pathParameters?.asset) {
    case undefined:
      return toApiGatewayResult(htmlPage(200, () => renderDemoPage(basePathOf(event.requestContext?.stage ?? 'dev')), PAGE_OPTIONS), {});
    case 'app.js':
      return toApiGatewayResult(asset('text/javascript; charset=utf-8', script), {});
    case 'app.css':
      return toApiGatewayResult(asset('text/css; charset=utf-8', DEMO_CSS), {});
    default:
      return toApiGatewayResult(notFound('The demo has no such file.'), {});
  }
};
