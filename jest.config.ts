import path from 'node:path';
import type { Config } from '@jest/types';
import { junitReporter, suiteProject } from './harness/jest/config';

/**
 * `npm test`: the project's own tests (test/, TypeScript through swc) and every suite against the
 * builtin reference servers, exactly as `sockspec run` runs them.
 */
const config: Config.InitialOptions = {
  projects: [
    suiteProject(),
    {
      displayName: 'unit',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      transform: { '\\.ts$': '@swc/jest' },
      testEnvironment: 'node',
    },
  ],
  reporters: ['default', junitReporter({ outputDirectory: path.join(__dirname, 'reports'), outputName: 'project-tests.xml' })],
};

export default config;
