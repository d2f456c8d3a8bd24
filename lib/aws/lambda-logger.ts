import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { redact, type Logger, type LogLevel } from '../core/logger';

export interface LambdaLogger extends Logger {
  /** Adds the request id, function name and cold-start flag of this invocation to every line. */
  addContext(context: Context): void;
}

/** The handlers' logger: Powertools Logger (structured JSON for CloudWatch), behind our Logger interface. */
export function createLambdaLogger(level: LogLevel, serviceName = 'jwt-auth'): LambdaLogger {
  return wrap(new PowertoolsLogger({ serviceName, logLevel: level === 'silent' ? 'SILENT' : level.toUpperCase() as 'INFO' }));
}

function wrap(logger: PowertoolsLogger): LambdaLogger {
  return {
    debug: (message, fields = {}) => logger.debug(message, redact(fields)),
    info: (message, fields = {}) => logger.info(message, redact(fields)),
    warn: (message, fields = {}) => logger.warn(message, redact(fields)),
    error: (message, fields = {}) => logger.error(message, redact(fields)),
    security: (event, fields) => logger.warn(`security event: ${event}`, { security_event: event, ...redact(fields) }),
    child: (fields) => {
      const child = logger.createChild();
      child.appendKeys(redact(fields) as Record<string, string>);
      return wrap(child);
    },
    addContext: (context) => logger.addContext(context),
  };
}
