/**
 * Jest runs the CDK assertion tests offline: bundling is skipped in each test's App context,
 * and ts-jest only transpiles (tsconfig has isolatedModules); `npm run build` type-checks.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': 'ts-jest' },
  // A synth with cdk-nag takes a few seconds on 2 cores; the first CloudFormation validation ~15 s.
  testTimeout: 120000,
};
