import { createApp, type App } from './app';
import { resolveSecrets } from './aws/secrets';

let app: Promise<App> | undefined;

/**
 * The one place that reads process.env: at cold start, once. A configuration error rejects
 * this promise, so every invocation of the function fails with a message naming the variable.
 */
export function getApp(): Promise<App> {
  app ??= resolveSecrets(process.env).then((env) => createApp(env));
  return app;
}
