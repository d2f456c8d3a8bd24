import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { App } from './app';
import { corsHeaders, errorToResponse, toApiGatewayResult, toHttpRequest, type HttpRequest, type HttpResponse } from './http/http';
import type { Logger } from './core/logger';
import { getApp } from './runtime';

export type Route = (request: HttpRequest, app: App, logger: Logger) => Promise<HttpResponse>;

/**
 * Wraps a route into a Lambda handler: the app is built at cold start (a configuration error
 * fails the init with a message naming the variable), and every error goes through one mapper.
 */
export function httpHandler(route: Route, appReady: Promise<App> = getApp()) {
  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    const app = await appReady;
    if (context) app.logger.addContext?.(context);
    const request = toHttpRequest(event);
    const logger = app.logger.child({ requestId: request.requestId });
    let response: HttpResponse;
    try {
      response = await route(request, app, logger);
    } catch (error) {
      response = errorToResponse(error, logger);
    }
    return toApiGatewayResult(response, corsHeaders(request.origin, app.config.corsAllowedOrigins));
  };
}
