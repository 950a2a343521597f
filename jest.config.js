// ESM throughout (oidc-provider and jose are ESM-only): ts-jest transpiles each file alone (tsconfig isolatedModules;
// type-checking is `tsc --noEmit` in `npm test`), Node's VM modules run the result. No native transformer (swc): the
// registry here lacks its platform binaries, so `npm ci` could not install it.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  // Fails any test file whose output carries a token, a key or a known secret.
  setupFilesAfterEnv: ['<rootDir>/test/setup/no-secrets-in-logs.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
};
