// ESM throughout (oidc-provider and jose are ESM-only): swc strips types, Node's VM modules run the result.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  // Fails any test file whose output carries a token, a key or a known secret.
  setupFilesAfterEnv: ['<rootDir>/test/setup/no-secrets-in-logs.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
};
