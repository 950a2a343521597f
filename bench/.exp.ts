// experiments: bundle variants with in-memory source patches, timed against bare node
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { loadConfigFile } from '../lib/config.js';
import { deployedSettings, settingsDefine } from '../lib/constructs/embedded-settings.js';
import { ESM_REQUIRE_BANNER } from '../lib/constructs/gateway-function.js';
import { loadTemplateDir } from '../lambda/core/template-loader.js';
import { cleanEnv, timeNode } from './lib/processes.js';
import { median } from './lib/stats.js';

type Patch = [file: string, from: RegExp | string, to: string];
const root = process.cwd();
const config = loadConfigFile('config/example.yaml');
const define = settingsDefine(deployedSettings(config, loadTemplateDir(config.templatesPath), root));
const patcher = (patches: Patch[]): Plugin => ({
  name: 'patch',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const mine = patches.filter(([f]) => args.path.endsWith(f));
      if (!mine.length) return undefined;
      let text = readFileSync(args.path, 'utf8');
      for (const [, from, to] of mine) {
        const next = text.replace(from, to);
        if (next === text) throw new Error(`patch did not apply in ${args.path}: ${from}`);
        text = next;
      }
      return { contents: text, loader: 'ts' };
    });
  },
});
async function variant(name: string, entry: string, patches: Patch[]) {
  const dir = join('bench/out/exp', name);
  mkdirSync(dir, { recursive: true });
  await build({ absWorkingDir: root, entryPoints: [entry], bundle: true, target: 'node24', platform: 'node', format: 'esm', outfile: join(dir, 'index.mjs'), minify: true, sourcemap: true, sourcesContent: false, mainFields: ['module', 'main'], banner: { js: ESM_REQUIRE_BANNER }, define: { __GATEWAY_SETTINGS__: define }, logLevel: 'error', plugins: [patcher(patches)] });
  return { name, file: join(dir, 'index.mjs') };
}
const lazyRevocations: Patch[] = [
  ['lambda/authorizer/index.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n", ''],
  ['lambda/authorizer/index.ts', "import { DynamoRevocationStore } from '../core/revocations.js';\n", ''],
  ['lambda/authorizer/index.ts', 'const revocations = new DynamoRevocationStore(new DynamoDBClient({}), table);', "let store: Promise<{ isRevoked(i: string, s: string): Promise<boolean> }> | undefined;\nconst revocations = { isRevoked: async (i: string, s: string) => (await (store ??= Promise.all([import('@aws-sdk/client-dynamodb'), import('../core/revocations.js')]).then(([d, r]) => new r.DynamoRevocationStore(new d.DynamoDBClient({}), table)))).isRevoked(i, s) };"],
];
const noRevocations: Patch[] = [
  ['lambda/authorizer/index.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n", ''],
  ['lambda/authorizer/index.ts', "import { DynamoRevocationStore } from '../core/revocations.js';\n", ''],
  ['lambda/authorizer/index.ts', 'const revocations = new DynamoRevocationStore(new DynamoDBClient({}), table);', 'const revocations = { isRevoked: async (_i: string, _s: string) => table === "" };'],
];
const noLogger: Patch[] = [
  ['lambda/authorizer/index.ts', "import { Logger } from '@aws-lambda-powertools/logger';\n", ''],
  ['lambda/authorizer/index.ts', /const logger = new Logger\([^;]*\);/, 'const logger = console as any;'],
];
const lazyCatalogAjv: Patch[] = [
  ['lambda/core/catalog.ts', 'private readonly ajv = createAjv({ useDefaults: true });', 'private ajvInstance?: ReturnType<typeof createAjv>;\n  private get ajv() { return (this.ajvInstance ??= createAjv({ useDefaults: true })); }'],
];
const lazyJobsValidator: Patch[] = [
  ['lambda/jobs/handler.ts', 'const validateSubmit = createAjv().compile(SubmitJobRequest);', 'let compiled: ReturnType<ReturnType<typeof createAjv>["compile"]> | undefined;\nconst lazySubmit = () => (compiled ??= createAjv().compile(SubmitJobRequest));'],
  ['lambda/jobs/handler.ts', 'if (!validateSubmit(body)) throw new BadRequest(\'the body is not a job request\', fieldErrors(validateSubmit.errors', 'if (!lazySubmit()(body)) throw new BadRequest(\'the body is not a job request\', fieldErrors(lazySubmit().errors'],
];
const lazyAdminValidator: Patch[] = [
  ['lambda/admin/handler.ts', 'const validateRevocation = createAjv().compile(RevocationRequest);', 'let compiled: ReturnType<ReturnType<typeof createAjv>["compile"]> | undefined;\nconst lazyRevocation = () => (compiled ??= createAjv().compile(RevocationRequest));'],
  ['lambda/admin/handler.ts', /validateRevocation/g, 'lazyRevocation()'],
];
const which = process.argv[2] ?? 'all';
const vs = [] as { name: string; file: string }[];
if (which === 'auth' || which === 'all') vs.push(await variant('auth-now', 'lambda/authorizer/index.ts', []), await variant('auth-lazy-revocation', 'lambda/authorizer/index.ts', lazyRevocations), await variant('auth-no-revocation', 'lambda/authorizer/index.ts', noRevocations), await variant('auth-no-revocation-no-logger', 'lambda/authorizer/index.ts', [...noRevocations, ...noLogger]));
if (which === 'catalog' || which === 'all') vs.push(await variant('catalog-now', 'lambda/catalog/index.ts', []), await variant('catalog-lazy-ajv', 'lambda/catalog/index.ts', lazyCatalogAjv));
if (which === 'jobs' || which === 'all') vs.push(await variant('jobs-now', 'lambda/jobs/index.ts', []), await variant('jobs-lazy-ajv', 'lambda/jobs/index.ts', [...lazyCatalogAjv, ...lazyJobsValidator]));
if (which === 'admin' || which === 'all') vs.push(await variant('admin-now', 'lambda/admin/index.ts', []), await variant('admin-lazy-ajv', 'lambda/admin/index.ts', [...lazyCatalogAjv, ...lazyAdminValidator]));
const env = cleanEnv({ AWS_REGION: 'eu-west-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', LEDGER_TABLE_NAME: 't', DATABRICKS_SECRET_ID: 's', GOOGLE_KEY_SECRET_ID: 'g', NODE_OPTIONS: '' });
const all = [{ name: 'bare', args: ['-e', '0'], env: cleanEnv() }, { name: 'empty.mjs', args: ['bench/out/empty.mjs'], env: cleanEnv() }, ...vs.map((v) => ({ name: v.name, args: [v.file], env }))];
for (const v of all) timeNode(v.args, v.env);
const t = new Map(all.map((v) => [v.name, [] as number[]]));
for (let r = 0; r < Number(process.env.RUNS ?? 15); r++) for (const v of all) t.get(v.name)!.push(timeNode(v.args, v.env));
const bare = median(t.get('bare')!);
for (const [k, xs] of t) console.log(k.padEnd(28), median(xs).toFixed(1).padStart(7), (median(xs) / bare).toFixed(2) + '×');
