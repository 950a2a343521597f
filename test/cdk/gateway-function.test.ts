// One real esbuild bundle (the other CDK tests skip bundling): proves the ESM output, the require banner and the
// embedded settings work together by running a bundled entry in a fresh Node process. The entry (bundle-fixture/) uses
// what the gateway's functions use, a CommonJS dependency that requires a Node built-in, but calls no AWS service.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { settingsDefine } from '../../lib/constructs/embedded-settings.js';
import { runtimeSettings } from '../../lib/runtime-settings.js';
import { PROJECT_ROOT } from '../../lib/constructs/functions.js';
import { ESM_REQUIRE_BANNER, GatewayFunction } from '../../lib/constructs/gateway-function.js';
import { CDK_FEATURE_FLAGS } from './feature-flags.js';
import { DATAPROC_TEMPLATE, TEST_ENV, testConfig } from './fixtures.js';

describe('GatewayFunction bundle', () => {
  let bundleDir: string;

  beforeAll(() => {
    // GIVEN an entry with one embedded template; WHEN the app is synthesized with bundling
    const outdir = mkdtempSync(join(tmpdir(), 'djg-bundle-'));
    const app = new App({ outdir, context: { ...CDK_FEATURE_FLAGS } });
    const stack = new Stack(app, 'Bundle', { env: TEST_ENV });
    new GatewayFunction(stack, 'Fixture', {
      projectRoot: PROJECT_ROOT,
      entry: 'test/cdk/bundle-fixture/index.ts',
      description: 'bundle test',
      settingsDefine: settingsDefine(runtimeSettings(testConfig(), [DATAPROC_TEMPLATE], PROJECT_ROOT).catalog),
      logGroup: new LogGroup(stack, 'Logs'),
      memorySize: 128,
      timeout: Duration.seconds(3),
      environment: {},
    });
    app.synth();
    const asset = readdirSync(outdir).find((d) => d.startsWith('asset.') && existsSync(join(outdir, d, 'index.mjs')));
    bundleDir = join(outdir, asset!);
  }, 60_000);

  it('is one minified ES module with a source map and the require banner', () => {
    const code = readFileSync(join(bundleDir, 'index.mjs'), 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*as handler\s*\}/);
    expect(code.split('\n').length).toBeLessThan(10);
    expect(existsSync(join(bundleDir, 'index.mjs.map'))).toBe(true);
  });

  it('runs as ESM in a fresh Node process, with CommonJS require working and the settings embedded at synth time', async () => {
    // WHEN the bundle runs with no project files around it
    const script = `const { handler } = await import(${JSON.stringify(join(bundleDir, 'index.mjs'))}); process.stdout.write(JSON.stringify(await handler()));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '' } });

    // THEN the CommonJS dependency could require a built-in, and the config and templates are the synthesized ones
    expect(JSON.parse(stdout)).toEqual({ platform: process.platform, maxBodyBytes: testConfig().api.maxBodyBytes, templates: ['daily-sales-etl'] });
  });
});
