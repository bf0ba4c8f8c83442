/** @jest-config-loader esbuild-register */
import './scripts/require-node.cjs';
import type { Config } from 'jest';

// Middy and the OpenAPI validator ship ESM only; everything else stays untouched. (Middy 7's
// validator no longer imports its ajv-ftl-i18n/ajv-formats-draft2019 dependencies: only its
// `transpile` entry does, which nothing here uses.)
const esmPackages = ['@middy', '@seriousme'];

const shared: Config = {
  transform: {
    '^.+\\.(t|j|mj)sx?$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: [`node_modules/(?!(${esmPackages.join('|')})/)`],
  resolver: '<rootDir>/test/esm-only-resolver.cjs',
  testPathIgnorePatterns: ['/node_modules/', '/\\.serverless/', '/\\.esbuild/'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
};

const config: Config = {
  // Generous for tests against DynamoDB Local and the offline stack on a busy 2-core machine.
  testTimeout: 60_000,
  // Three files at a time on two cores: much of an end-to-end or integration test's time is spent
  // waiting (for a stack, a projector, a deadline), and each file that needs a stack starts its own
  // on ports of its own; a third file fills those waits (npm test's jest time 265 s with two, 227
  // s with three). The drills, each loading the machine on purpose, keep to two.
  maxWorkers: process.env.JEST_DRILLS === '1' ? 2 : 3,
  testSequencer: '<rootDir>/test/long-first-sequencer.cjs',
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: [
        ...(shared.testPathIgnorePatterns ?? []),
        '\\.int\\.test\\.ts$',
        '\\.e2e\\.test\\.ts$',
        '\\.drill\\.test\\.ts$',
      ],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/*.int.test.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/**/*.e2e.test.ts'],
      globalSetup: '<rootDir>/test/e2e/global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
    },
    // `npm run test:drills` only: kill -9, lost responses, load, long erasures and the long
    // simulation, each on stacks of its own (minutes each; `npm test` stays a quick loop).
    ...(process.env.JEST_DRILLS === '1'
      ? [{ ...shared, displayName: 'drills', testMatch: ['<rootDir>/**/*.drill.test.ts'] }]
      : []),
  ],
};

export default config;
