// Benchmark 2: cold start. Each function bundle the stack synthesizes, loaded by a fresh node process that runs its
// module top level (what Lambda's init phase does), against a bare `node -e 0`, interleaved, medians over runs.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { assemblyBundles, buildMirroredBundles, bundleFile, composition, reachesDataproc, type FunctionBundle, type MirroredBundle } from './lib/bundles.js';
import { readInitProfile, type InitProfile } from './lib/cpu-profile.js';
import { cleanEnv, timeNode } from './lib/processes.js';
import { figure, kib, num, ratio, type Figure, type SectionResult, type Target } from './lib/report.js';
import { median } from './lib/stats.js';
import { synthAssembly } from './synth.js';

export interface ColdStartOptions {
  readonly projectRoot: string;
  readonly outDir: string;
  readonly runs: number;
  /** A cloud assembly already synthesized in this run (by the synth benchmark). */
  readonly assemblyDir?: string;
  readonly configFile: string;
  /** CPU-profiled inits per function, for the breakdown of where the time goes. */
  readonly profiles: number;
}

const BARE = 'bare `node -e 0`';
const AUTHORIZER_TARGET: Target = { comparison: '<=', bound: 1.15, of: 'ratio' };
const DATAPROC_TARGET: Target = { comparison: '<=', bound: 1.5, of: 'ratio' };
const OTHER_TARGET: Target = { comparison: '<=', bound: 1.2, of: 'ratio' };

/** What the Lambda service and the stack put in a function's environment, as far as module top level reads it. */
function functionEnv(bundle: FunctionBundle, sourceMaps: boolean): Record<string, string> {
  return cleanEnv({
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_LAMBDA_FUNCTION_NAME: `bench-${bundle.name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    // on Lambda's Node 24 the SDK has nothing to warn about; on an older local node it would print a notice
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    LEDGER_TABLE_NAME: 'bench-ledger',
    DATABRICKS_SECRET_ID: 'bench/databricks',
    GOOGLE_KEY_SECRET_ID: 'bench/google-key',
    ...bundle.environment,
    ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : { NODE_OPTIONS: '' }),
  });
}

export async function runColdStartBench(options: ColdStartOptions): Promise<SectionResult> {
  const started = Date.now();
  const notes: string[] = [];
  const mirrors = await buildMirroredBundles(options.projectRoot, join(options.outDir, 'mirror'), options.configFile);
  // The CommonJS lever: the same entries and options, format cjs (no ES module loader, no require banner).
  const cjsMirrors = await buildMirroredBundles(options.projectRoot, join(options.outDir, 'mirror-cjs'), options.configFile, undefined, 'cjs');

  let bundles: FunctionBundle[] = [];
  let source = '';
  let assemblyDir = options.assemblyDir;
  if (!assemblyDir || !assemblyBundles(assemblyDir).length) {
    assemblyDir = join(options.outDir, 'cold-start.cdk.out');
    const synth = await synthAssembly(options.projectRoot, assemblyDir, options.configFile);
    if (synth.code !== 0) {
      notes.push(`\`cdk synth\` failed in this run (${firstError(synth.output)}), so the bundles were built by esbuild with the stack's bundling options instead.`);
      assemblyDir = undefined;
    }
  }
  if (assemblyDir) {
    bundles = assemblyBundles(assemblyDir);
    source = `the cloud assembly of \`cdk synth -c config=${options.configFile}\` (${bundles.length} functions)`;
  }
  if (!bundles.length) {
    bundles = mirrors;
    source = `esbuild with GatewayFunction's bundling options (${bundles.length} functions)`;
  }
  const mirrorOf = (name: string) => mirrors.find((m) => m.name === name);
  for (const b of bundles) {
    const m = mirrorOf(b.name);
    if (m && m !== b && Math.abs(m.bytes - b.bytes) > 0.01 * b.bytes) {
      notes.push(`${b.name}: the synthesized bundle (${kib(b.bytes)}) differs from the esbuild mirror (${kib(m.bytes)}) by more than 1%; its composition below is the mirror's.`);
    }
  }

  const emptyModule = join(options.outDir, 'empty.mjs');
  mkdirSync(options.outDir, { recursive: true });
  if (!existsSync(emptyModule)) writeFileSync(emptyModule, '');

  type Variant = { key: string; args: string[]; env: Record<string, string> };
  const variants: Variant[] = [
    { key: 'bare', args: ['-e', '0'], env: cleanEnv() },
    { key: 'empty-esm', args: [emptyModule], env: cleanEnv() },
    ...bundles.flatMap((b) => [
      { key: `${b.name}:maps`, args: [join(b.dir, 'index.mjs')], env: functionEnv(b, true) },
      { key: `${b.name}:nomaps`, args: [join(b.dir, 'index.mjs')], env: functionEnv(b, false) },
      ...cjsMirrors.filter((c) => c.name === b.name).map((c) => ({ key: `${b.name}:cjs`, args: [join(c.dir, bundleFile('cjs'))], env: functionEnv(b, false) })),
    ]),
  ];
  // a first run of each fills the page cache and shows a broken bundle before anything is timed
  for (const v of variants) timeNode(v.args, v.env);
  const times = new Map<string, number[]>(variants.map((v) => [v.key, []]));
  for (let r = 0; r < options.runs; r++) {
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(i + r) % variants.length]!;
      times.get(v.key)!.push(timeNode(v.args, v.env));
    }
  }
  const med = (key: string) => median(times.get(key)!);
  const bare = { name: BARE, value: med('bare') };
  const empty = med('empty-esm');

  const figures: Figure[] = [];
  const rows: string[][] = [];
  const compositionRows: string[][] = [];
  const rssByFunction: (readonly [string, number])[] = [];
  const bareRss = rssOf(['-e', 'process.stdout.write(String(process.memoryUsage().rss))'], cleanEnv(), options.profiles);
  for (const b of bundles) {
    const mirror: MirroredBundle | undefined = mirrorOf(b.name);
    const dataproc = mirror ? reachesDataproc(mirror.metafile) : false;
    const target = b.name === 'authorizer' ? AUTHORIZER_TARGET : dataproc ? DATAPROC_TARGET : OTHER_TARGET;
    const withMaps = med(`${b.name}:maps`);
    const withoutMaps = med(`${b.name}:nomaps`);
    figures.push(figure(`${b.name} cold init${dataproc ? ' (calls Dataproc)' : ''}`, withoutMaps, 'ms', bare, target));
    const top = mirror ? composition(mirror.metafile).slice(0, 4).map((p) => `${p.name} ${kib(p.bytes)}`).join(', ') : '';
    const rss = rssAfterLoad(b, options.profiles);
    rssByFunction.push([b.name, rss]);
    const cjs = times.get(`${b.name}:cjs`)?.length ? med(`${b.name}:cjs`) : NaN;
    rows.push([b.name, kib(b.bytes), kib(b.mapBytes), num(withoutMaps), ratio(withoutMaps / bare.value), num(withMaps), ratio(withMaps / bare.value), Number.isNaN(cjs) ? '' : `${num(cjs)} (${ratio(cjs / bare.value)})`, num(rss / MIB)]);
    compositionRows.push([b.name, top]);
  }

  const breakdown = bundles.map((b) => [b.name, profileInit(b, options.profiles)] as const);
  const topOwners = (p: InitProfile) =>
    [...p.evaluateBy]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([name, ms]) => `${name} ${num(ms)}`)
      .join(', ');

  notes.unshift(
    `An empty ES module takes ${num(empty)} ms (${ratio(empty / bare.value)} ${BARE}): that much of every ratio is Node's ES module loader, which any ESM handler pays.`,
  );
  const mapCost = bundles.map((b) => med(`${b.name}:maps`) - med(`${b.name}:nomaps`));
  notes.push(`\`NODE_OPTIONS=--enable-source-maps\` (which GatewayFunction set before issue 15; the .map is still in each asset) would add ${num(median(mapCost))} ms to a cold init (median over functions; from ${num(Math.min(...mapCost))} to ${num(Math.max(...mapCost))} ms): Node reads and parses the .map file while loading the module.`);
  const largestRss = Math.max(...rssByFunction.map(([, rss]) => rss));
  notes.push(`Memory after init: bare \`node\` holds ${num(bareRss / MIB)} MiB resident; the largest function ${num(largestRss / MIB)} MiB (${ratio(largestRss / bareRss)}). Lambda's memory size also sets its CPU share (1,769 MB is one full vCPU: https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html), so \`functions.memorySize\` is chosen for CPU, not to fit: see bench/FINDINGS.md.`);

  return {
    id: 'cold-start',
    title: '2. Cold start',
    method: [
      `Bundles: ${source}; each is \`node <asset>/index.mjs\` with the embedded settings define in place and the function's environment, so the module top level runs exactly as in Lambda's init phase (the handler is not invoked).`,
      `Wall time from spawn to exit, ${options.runs} interleaved runs per variant after one untimed run each; medians. Baseline: ${BARE} in the same rounds.`,
      'As deployed, functions run without `--enable-source-maps` (the .map stays in the asset for offline symbolication); the table also shows the same bundle with it, as deployed before issue 15.',
      'CommonJS column: the same entry built by esbuild with the same options but `format: cjs` (index.cjs, no require banner), run the same way.',
      `Memory: \`process.memoryUsage().rss\` right after the bundle's top level ran (\`await import\` of it in a fresh node), median of ${options.profiles} runs.`,
      `Target class: the authorizer ≤ 1.15×; a bundle holding the Dataproc backend (lambda/adapters/dataproc/backend.ts) ≤ 1.5×; the others ≤ 1.2×.`,
    ],
    figures,
    tables: [
      {
        title: `Bundles and cold init (baseline ${BARE}: ${num(bare.value)} ms)`,
        header: ['function', 'index.mjs', 'index.mjs.map', 'init ms (as deployed, no source maps)', 'ratio', 'init ms with --enable-source-maps', 'ratio', 'init ms as CommonJS (ratio)', 'rss after init MiB'],
        rows,
      },
      {
        title: 'Largest packages in each bundle',
        header: ['function', 'packages (bytes in the bundle)'],
        rows: compositionRows,
      },
      {
        title: `Where a cold init's CPU goes (ms; median of ${options.profiles} \`node --cpu-prof\` runs without source maps; the profiler itself slows everything down)`,
        header: ['function', 'compile the bundle', 'run its top level', 'Node start-up, loader, built-ins', 'GC', 'top level spent in'],
        rows: breakdown.map(([name, p]) => [name, num(p.compile), num(p.evaluate), num(p.other), num(p.gc), topOwners(p)]),
      },
    ],
    notes,
    seconds: (Date.now() - started) / 1000,
  };
}

const MIB = 1024 * 1024;

/** Median resident set size (bytes) a `node args...` run prints on stdout. */
function rssOf(args: readonly string[], env: Record<string, string>, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < Math.max(1, runs); i++) {
    const result = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status ?? result.signal}: ${result.stderr.slice(0, 2000)}`);
    samples.push(Number(result.stdout.trim().split('\n').at(-1)));
  }
  return median(samples);
}

/** Resident memory once the bundle's top level has run, as Lambda's init phase leaves it (no source maps). */
function rssAfterLoad(bundle: FunctionBundle, runs: number): number {
  const url = pathToFileURL(join(bundle.dir, 'index.mjs')).href;
  const script = `await import(${JSON.stringify(url)}); process.stdout.write('\\n' + process.memoryUsage().rss);`;
  return rssOf(['--input-type=module', '-e', script], functionEnv(bundle, false), runs);
}

/** Medians over profiled runs of each phase; evaluate owners summed then divided by the run count. */
function profileInit(bundle: FunctionBundle, runs: number): InitProfile {
  const file = join(bundle.dir, 'index.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'djg-cold-prof-'));
  try {
    for (let i = 0; i < runs; i++) timeNode(['--cpu-prof', '--cpu-prof-interval=250', `--cpu-prof-dir=${dir}`, file], functionEnv(bundle, false));
    const profiles = readdirSync(dir).map((f) => readInitProfile(join(dir, f), file));
    const evaluateBy = new Map<string, number>();
    for (const p of profiles) for (const [k, ms] of p.evaluateBy) evaluateBy.set(k, (evaluateBy.get(k) ?? 0) + ms / profiles.length);
    const med = (k: 'compile' | 'evaluate' | 'gc' | 'other') => median(profiles.map((p) => p[k]));
    return { compile: med('compile'), evaluate: med('evaluate'), gc: med('gc'), other: med('other'), evaluateBy };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function firstError(output: string): string {
  const line = output.split('\n').find((l) => /error|cannot|failed/i.test(l)) ?? output.trim().split('\n').at(-1) ?? '';
  return line.trim().slice(0, 200).replace(/`/g, "'");
}
