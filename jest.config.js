'use strict';
/**
 * Two projects. `unit` starts nothing (no Java, no DynamoDB Local, no SES emulator) so
 * `npm run test:unit` answers in seconds; `local` holds the integration tests (DynamoDB Local,
 * SES emulator) and the end-to-end tests (serverless-offline), which share one global setup.
 * `jest` with no flag runs both, as `npm test` and CI do.
 */
const shared = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: {
    // swc also turns ESM-only packages into CommonJS for jest: jose, and otplib's base32 and HMAC plugins.
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose|@scure/base|@noble/hashes)/)'],
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/test/unit'] },
    {
      ...shared,
      displayName: 'local',
      roots: ['<rootDir>/test/integration', '<rootDir>/test/e2e'],
      // Per project, so a run of only the unit project never starts the local stack.
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  // Global, not per project: jest reads testTimeout from the top-level config only. Generous
  // because helpers share two cores (the unit tests' crypto corpora slow down under load).
  testTimeout: 60_000,
  maxWorkers: 2,
};
