// The layer rules of .dependency-cruiser.cjs (docs/architecture.md), proved rule by rule: each catches the import it
// names in a scratch tree, and the real tree breaks none of them (`npm run lint:layers` runs the same check in npm test).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';

const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as IConfiguration;

/** A scratch project: file path → source. */
const SCRATCH: Record<string, string> = {
  'lambda/core/uses-sdk.ts': "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const c = DynamoDBClient;\n",
  'lambda/core/uses-adapter.ts': "import { a } from '../adapters/store.js';\nexport const b = a;\n",
  'lambda/adapters/store.ts': 'export const a = 1;\n',
  'lambda/jobs/uses-lib.ts': "import { x } from '../../lib/thing.js';\nexport const y = x;\n",
  'lib/thing.ts': "import { a } from '../lambda/adapters/store.js';\nexport const x = a;\n",
  'contract/uses-cdk.ts': "import { Stack } from 'aws-cdk-lib';\nexport const s = Stack;\n",
  'cli/uses-lambda.ts': "import { a } from '../lambda/adapters/store.js';\nexport const z = a;\n",
  'lambda/routes/uses-sdk.ts': "import { a } from '../adapters/store.js';\nexport const r = a;\n",
  'local/one.ts': "import { two } from './two.js';\nexport const one = () => two;\n",
  'local/two.ts': "import { one } from './one.js';\nexport const two = () => one;\n",
};

let dir: string;
let result: ICruiseResult;
const violations = (rule: string) => result.summary.violations.filter((v) => v.rule.name === rule).map((v) => `${v.from} -> ${v.to}`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'layers-'));
  for (const [file, text] of Object.entries(SCRATCH)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  // resolved as in the project: `.js` specifiers name `.ts` files (NodeNext)
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowJs: false } }));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    result = (await cruise(['lambda', 'lib', 'contract', 'cli', 'local'], { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden } })).output as ICruiseResult;
  } finally {
    process.chdir(cwd);
  }
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('.dependency-cruiser.cjs', () => {
  it.each([
    ['core-is-pure', 'lambda/core/uses-sdk.ts -> @aws-sdk/client-dynamodb'],
    ['core-is-pure', 'lambda/core/uses-adapter.ts -> lambda/adapters/store.ts'],
    ['runtime-not-infrastructure', 'lambda/jobs/uses-lib.ts -> lib/thing.ts'],
    ['infrastructure-not-runtime', 'lib/thing.ts -> lambda/adapters/store.ts'],
    ['contract-stands-alone', 'contract/uses-cdk.ts -> aws-cdk-lib'],
    ['cli-speaks-http', 'cli/uses-lambda.ts -> lambda/adapters/store.ts'],
    ['handlers-call-the-core', 'lambda/routes/uses-sdk.ts -> lambda/adapters/store.ts'],
  ])('%s catches %s', (rule, edge) => {
    expect(violations(rule)).toContain(edge);
  });

  it('no-cycles catches a cycle', () => {
    expect(violations('no-cycles').length).toBeGreaterThan(0);
    expect(violations('no-cycles').join('\n')).toMatch(/local\/(one|two)\.ts/);
  });

  it('the project breaks no rule', async () => {
    const real = (await cruise(['bin', 'lib', 'lambda', 'local', 'cli', 'contract', 'bench'], { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden } })).output as ICruiseResult;
    expect(real.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
    expect(real.summary.totalCruised).toBeGreaterThan(200);
  }, 120_000);
});
