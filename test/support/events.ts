import type { APIGatewayProxyEvent } from 'aws-lambda';

/** A REST API (v1) proxy event as API Gateway and serverless-offline send it. */
export function restEvent(options: {
  method?: string;
  path?: string;
  body?: string | null;
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  authorizer?: Record<string, string>;
}): APIGatewayProxyEvent {
  return {
    resource: options.path ?? '/',
    path: options.path ?? '/',
    httpMethod: options.method ?? 'POST',
    headers: options.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    body: options.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      stage: 'dev',
      requestId: 'req-1',
      httpMethod: options.method ?? 'POST',
      path: `/dev${options.path ?? '/'}`,
      resourceId: 'r1',
      resourcePath: options.path ?? '/',
      requestTimeEpoch: Date.now(),
      protocol: 'HTTP/1.1',
      authorizer: options.authorizer ?? null,
      identity: { sourceIp: '198.51.100.4', userAgent: 'jest' } as APIGatewayProxyEvent['requestContext']['identity'],
    },
  } as APIGatewayProxyEvent;
}

export const jsonEvent = (body: unknown, extra: Parameters<typeof restEvent>[0] = {}) =>
  restEvent({ ...extra, body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...extra.headers } });
