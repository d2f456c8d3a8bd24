'use strict';
/**
 * `npm run test:unit`: only the unit project of jest.config.js. A config of its own rather than
 * `--selectProjects unit`, whose list would swallow file arguments (`npm run test:unit -- a.test.ts`).
 */
const { projects, ...global } = require('./jest.config.js');

module.exports = { ...global, projects: projects.filter((project) => project.displayName === 'unit') };
