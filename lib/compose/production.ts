/**
 * The production composition: one per function container, over the function's environment, with
 * the real adapters (each part builds its DynamoDB, SES or SSM adapter unless overridden). The
 * test fixtures and the bench call compose() themselves, with their overrides.
 */
import { readEnvironment } from '../core/config';
import { compose } from './part';

export const root = /* @__PURE__ */ compose(readEnvironment());
