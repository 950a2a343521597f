// The function bundles the cold-start benchmark loads: the ones `cdk synth` wrote into a cloud assembly, and an esbuild
// build with the stack's NodejsFunction options (same entry, define, banner, target) whose metafile says what they hold.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { loadConfigFile } from '../../lib/config.js';
import { FUNCTION_NAMES, type FunctionName } from '../../contract/settings.js';
import { settingsDefine } from '../../lib/constructs/embedded-settings.js';
import { runtimeSettings } from '../../lib/runtime-settings.js';
import { ESM_REQUIRE_BANNER, GATEWAY_RUNTIME } from '../../lib/constructs/gateway-function.js';
import { loadTemplateDir } from '../../lambda/adapters/template-files.js';

export interface FunctionBundle {
  /** Lower-case construct id: `authorizer`, `jobs`, ... */
  readonly name: string;
  /** Directory holding index.mjs (and index.mjs.map). */
  readonly dir: string;
  readonly bytes: number;
  readonly mapBytes: number;
  /** Environment variables of the function (values the template computes at deploy time become placeholders). */
  readonly environment: Record<string, string>;
}

export interface MirroredBundle extends FunctionBundle {
  readonly entry: string;
  readonly metafile: Metafile;
  readonly buildMs: number;
}

const fileSize = (path: string) => (existsSync(path) ? statSync(path).size : 0);

/** Lambda entry files the stack builds functions from (lib/constructs/functions.ts: `lambda/<function>/index.ts`), optionally only some. */
function functionEntries(projectRoot: string, only?: readonly string[]): { name: FunctionName; entry: string }[] {
  return FUNCTION_NAMES.map((name) => ({ name, entry: `lambda/${name}/index.ts` }))
    .filter(({ name, entry }) => existsSync(join(projectRoot, entry)) && (!only || only.includes(name)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** esbuild options equal to the arguments aws-lambda-nodejs passes for GatewayFunction's bundling (entry and output aside). */
function gatewayBuildOptions(projectRoot: string, configFile: string, fn: FunctionName, format: BundleFormat = 'esm'): BuildOptions {
  const config = loadConfigFile(configFile, projectRoot);
  const define = settingsDefine(runtimeSettings(config, loadTemplateDir(config.templatesPath), projectRoot)[fn]);
  return {
    absWorkingDir: projectRoot,
    bundle: true,
    target: GATEWAY_RUNTIME.name.replace(/^nodejs(\d+).*$/, 'node$1'),
    platform: 'node',
    format,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    ...(format === 'esm' && { banner: { js: ESM_REQUIRE_BANNER } }),
    define: { __GATEWAY_SETTINGS__: define },
    logLevel: 'error',
  };
}

/** `esm` as GatewayFunction builds; `cjs` the CommonJS lever (issue 15), written as index.cjs so no package.json decides. */
type BundleFormat = 'esm' | 'cjs';

/** The file a bundle directory's code is in. */
export const bundleFile = (format: BundleFormat) => (format === 'esm' ? 'index.mjs' : 'index.cjs');

/** Each function bundle built on its own, as the stack does, plus a metafile of what it holds. */
export async function buildMirroredBundles(projectRoot: string, outDir: string, configFile: string, only?: readonly string[], format: BundleFormat = 'esm'): Promise<MirroredBundle[]> {
  const bundles: MirroredBundle[] = [];
  for (const { name, entry } of functionEntries(projectRoot, only)) {
    const options = gatewayBuildOptions(projectRoot, configFile, name, format);
    const dir = join(outDir, name);
    mkdirSync(dir, { recursive: true });
    const started = performance.now();
    const result = await build({ ...options, entryPoints: [join(projectRoot, entry)], outfile: join(dir, bundleFile(format)), metafile: true });
    const buildMs = performance.now() - started;
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(result.metafile));
    bundles.push({
      name,
      entry,
      dir,
      bytes: fileSize(join(dir, bundleFile(format))),
      mapBytes: fileSize(join(dir, `${bundleFile(format)}.map`)),
      environment: {},
      metafile: result.metafile,
      buildMs,
    });
  }
  return bundles;
}

/**
 * Milliseconds to build every function bundle at once (shared parsing, in parallel) into `outDir`. Each function embeds
 * its own settings, so it is one esbuild call per function, started together.
 */
export async function buildAllAtOnce(projectRoot: string, outDir: string, configFile: string, only?: readonly string[]): Promise<number> {
  const entries = functionEntries(projectRoot, only);
  const started = performance.now();
  await Promise.all(
    entries.map((e) => build({ ...gatewayBuildOptions(projectRoot, configFile, e.name), entryPoints: [join(projectRoot, e.entry)], outfile: join(outDir, e.name, 'index.mjs') })),
  );
  return performance.now() - started;
}

interface TemplateResource {
  readonly Type: string;
  readonly Metadata?: Record<string, unknown>;
  readonly Properties?: { readonly Environment?: { readonly Variables?: Record<string, unknown> } };
}

/** The Lambda functions of every stack template in a cloud assembly, with their asset directories. */
export function assemblyBundles(assemblyDir: string): FunctionBundle[] {
  const bundles: FunctionBundle[] = [];
  for (const file of readdirSync(assemblyDir).filter((f) => f.endsWith('.template.json'))) {
    const template = JSON.parse(readFileSync(join(assemblyDir, file), 'utf8')) as { Resources?: Record<string, TemplateResource> };
    for (const resource of Object.values(template.Resources ?? {})) {
      const assetPath = resource.Metadata?.['aws:asset:path'];
      const cdkPath = resource.Metadata?.['aws:cdk:path'];
      if (resource.Type !== 'AWS::Lambda::Function' || typeof assetPath !== 'string' || typeof cdkPath !== 'string') continue;
      const dir = join(assemblyDir, assetPath);
      if (!existsSync(join(dir, 'index.mjs'))) continue;
      const name = cdkPath.split('/').at(-2)!.toLowerCase();
      const variables = resource.Properties?.Environment?.Variables ?? {};
      const environment = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : `bench-${k.toLowerCase()}`]));
      bundles.push({ name, dir, bytes: fileSize(join(dir, 'index.mjs')), mapBytes: fileSize(join(dir, 'index.mjs.map')), environment });
    }
  }
  return bundles.sort((a, b) => a.name.localeCompare(b.name));
}

export interface PackageShare {
  readonly name: string;
  readonly bytes: number;
}

/** Bytes of the output each package contributes (project files grouped by their top folder). */
export function composition(metafile: Metafile): PackageShare[] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = m ? m[1]! : `(project) ${input.split('/').slice(0, 2).join('/')}`;
      totals.set(key, (totals.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Whether a bundle carries the Dataproc backend (and so may call Dataproc). */
export function reachesDataproc(metafile: Metafile): boolean {
  return Object.values(metafile.outputs).some((o) => Object.keys(o.inputs).some((i) => i.endsWith('lambda/adapters/dataproc/backend.ts')));
}
