// The layers of docs/architecture.md, as rules `npm test` checks (`npm run lint:layers`; test/architecture/layers.test.ts
// proves each rule catches what it names). CommonJS because dependency-cruiser reads its config with require().
const SDKS = '^(@aws-sdk|@smithy|@aws-lambda-powertools|googleapis|google-auth-library|aws-cdk-lib|constructs|cdk-nag)(/|$)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'runtime-not-infrastructure',
      comment: 'lambda/ (the deployed runtime) and lib/ (the CDK stack) meet only in contract/',
      severity: 'error',
      from: { path: '^lambda/' },
      to: { path: '^(lib|bin|local|cli)/' },
    },
    {
      name: 'infrastructure-not-runtime',
      comment: 'lib/ knows the runtime only through contract/ (and bundles lambda/<function>/index.ts by path)',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(lambda|local|cli)/' },
    },
    {
      name: 'contract-stands-alone',
      comment: 'contract/ is what lib/ and lambda/ share: it imports nothing of either, and no SDK or CDK',
      severity: 'error',
      from: { path: '^contract/' },
      to: { path: `^(lib|lambda|local|cli|bin|bench|test)/|${SDKS}` },
    },
    {
      name: 'core-is-pure',
      comment: 'lambda/core/ is the logic behind ports: no SDK, no adapter, no Lambda event handling',
      severity: 'error',
      from: { path: '^lambda/core/' },
      to: { path: `^lambda/(adapters|http|compose|routes|runtime|authorizer|rotation|catalog|jobs|admin|reconciler)/|${SDKS}` },
    },
    {
      name: 'handlers-call-the-core',
      comment: 'route handlers and the HTTP layer reach SDKs only through adapters their function is composed with',
      severity: 'error',
      from: { path: '^lambda/(http|routes|compose)/' },
      to: { path: `^lambda/(adapters|runtime)/|^(@aws-sdk|@smithy|googleapis|google-auth-library)(/|$)` },
    },
    {
      name: 'cli-speaks-http',
      comment: 'djg talks to the API: it shares the contract, never the gateway\'s own code',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: '^(lib|lambda|local|bin)/' },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
