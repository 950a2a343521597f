// Benchmark 4: `cdk synth` of the gateway against a minimal one-function CDK app, both through the same CLI and launcher.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { assemblyBundles, buildAllAtOnce, buildMirroredBundles } from './lib/bundles.js';
import { runCommand, type CommandResult } from './lib/processes.js';
import { figure, num, type SectionResult } from './lib/report.js';
import { median } from './lib/stats.js';

export interface SynthBenchOptions {
  readonly projectRoot: string;
  readonly outDir: string;
  readonly runs: number;
  readonly configFile: string;
}

const SYNTH_TIMEOUT_MS = 5 * 60_000;

/** The CLI without network: no notices, no telemetry, no version check (this machine reaches only the npm registry). */
function cdkArgs(extra: readonly string[]): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  return {
    command: 'node_modules/.bin/cdk',
    args: ['synth', '--quiet', '--no-notices', '--no-version-reporting', ...extra],
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: 'true', NODE_OPTIONS: '' },
  };
}

/** `cdk synth` of the gateway's app (cdk.json) into `outDir`. */
export function synthAssembly(projectRoot: string, outDir: string, configFile: string): Promise<CommandResult> {
  rmSync(outDir, { recursive: true, force: true });
  const { command, args, env } = cdkArgs(['-c', `config=${configFile}`, '-o', outDir]);
  return runCommand(command, args, { cwd: projectRoot, env, timeoutMs: SYNTH_TIMEOUT_MS });
}

function synthMinimal(projectRoot: string, outDir: string): Promise<CommandResult> {
  rmSync(outDir, { recursive: true, force: true });
  const { command, args, env } = cdkArgs(['--app', 'npx tsx bench/synth/minimal-app.ts', '-o', outDir]);
  return runCommand(command, args, { cwd: projectRoot, env, timeoutMs: SYNTH_TIMEOUT_MS });
}

export interface SynthBenchResult {
  readonly section: SectionResult;
  /** The gateway's cloud assembly from the last successful run, for the cold-start benchmark. */
  readonly assemblyDir?: string;
}

export async function runSynthBench(options: SynthBenchOptions): Promise<SynthBenchResult> {
  const started = Date.now();
  const full = join(options.outDir, 'synth.cdk.out');
  const minimal = join(options.outDir, 'synth-minimal.cdk.out');
  const gateway: number[] = [];
  const baseline: number[] = [];
  let failure: CommandResult | undefined;
  for (let r = 0; r < options.runs; r++) {
    // alternate which goes first, so neither always runs on a warmer page cache
    const steps = [
      async () => {
        const res = await synthAssembly(options.projectRoot, full, options.configFile);
        if (res.code === 0) gateway.push(res.ms);
        else failure = res;
      },
      async () => {
        const res = await synthMinimal(options.projectRoot, minimal);
        if (res.code !== 0) throw new Error(`the minimal app failed to synthesize:\n${res.output}`);
        baseline.push(res.ms);
      },
    ];
    for (const step of r % 2 ? steps.reverse() : steps) await step();
    if (failure) break;
  }
  const method = [
    `\`cdk synth --quiet -c config=${options.configFile}\` (the app in cdk.json: \`npx tsx bin/app.ts\`, one NodejsFunction per Lambda function, cdk-nag checks) against \`cdk synth --app "npx tsx bench/synth/minimal-app.ts"\` (one stack, one NodejsFunction with a one-line handler).`,
    `Same CLI (node_modules/.bin/cdk, notices, telemetry and version check off), fresh output directory each time, ${options.runs} alternating runs; medians of wall time.`,
  ];
  if (failure || !gateway.length) {
    return {
      section: {
        id: 'synth',
        title: '4. Synth',
        method,
        figures: [],
        tables: [],
        notes: [`\`cdk synth\` of the gateway failed in this run, so there is no figure: ${(failure?.output ?? '').trim().split('\n').slice(-3).join(' / ').slice(0, 400)}`],
        seconds: (Date.now() - started) / 1000,
      },
    };
  }
  const base = { name: 'minimal one-function app', value: median(baseline) / 1000 };
  const bundling = await measureBundling(options, assemblyBundles(full).map((b) => b.name));
  return {
    assemblyDir: full,
    section: {
      id: 'synth',
      title: '4. Synth',
      method,
      figures: [figure('cdk synth of the gateway', median(gateway) / 1000, 's', base, { comparison: '<=', bound: 1.5, of: 'ratio' })],
      tables: [
        {
          title: 'Runs (seconds)',
          header: ['app', 'runs', 'median'],
          rows: [
            ['gateway', gateway.map((ms) => num(ms / 1000)).join(', '), num(median(gateway) / 1000)],
            ['minimal', baseline.map((ms) => num(ms / 1000)).join(', '), num(median(baseline) / 1000)],
          ],
        },
      ],
      notes: [
        `The gateway app bundles ${bundling.functions} functions; aws-lambda-nodejs runs each through \`npx --no-install esbuild\`, and npx alone takes ${num(bundling.npxMs / 1000)} s here (${num((bundling.functions * bundling.npxMs) / 1000)} s for all, against ${num(bundling.npxMs / 1000)} s for the minimal app).`,
        `The same bundles built by esbuild one at a time take ${num(bundling.separateMs / 1000)} s; in one esbuild call with every entry point (dependencies parsed once, in parallel) ${num(bundling.combinedMs / 1000)} s.`,
      ],
      seconds: (Date.now() - started) / 1000,
    },
  };
}

/** What the per-function bundling costs: npx start-up per function, and separate against combined esbuild builds. */
async function measureBundling(options: SynthBenchOptions, names: readonly string[]): Promise<{ functions: number; npxMs: number; separateMs: number; combinedMs: number }> {
  const npx: number[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await runCommand('npx', ['--no-install', 'esbuild', '--version'], { cwd: options.projectRoot, env: process.env, timeoutMs: 60_000 });
    if (res.code === 0) npx.push(res.ms);
  }
  const separate = await buildMirroredBundles(options.projectRoot, join(options.outDir, 'bundling-separate'), options.configFile, names);
  const combinedMs = await buildAllAtOnce(options.projectRoot, join(options.outDir, 'bundling-combined'), options.configFile, names);
  return {
    functions: separate.length,
    npxMs: median(npx),
    separateMs: separate.reduce((n, b) => n + b.buildMs, 0),
    combinedMs,
  };
}
