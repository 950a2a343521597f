// What a workload's driver prints while it runs, and how Dataproc keeps it: numbered objects next to the URI the job
// (`driverOutputResourceUri`) or batch (`runtimeInfo.outputUri`) names, `driveroutput.000000000`, `.000000001`, ...
// (https://cloud.google.com/dataproc/docs/guides/dataproc-job-output; Google's own samples read `driveroutput.000000000`).
// Lines are laid out on the clock over the RUNNING step, so the output grows while the workload runs.
import { createHash } from 'node:crypto';
import type { dataproc_v1 } from 'googleapis/build/src/apis/dataproc/v1.js';
import { FAIL_MARKER } from './validation.js';

/** Dataproc rolls the driver output over to the next object as it grows; the emulator does so every few lines. */
const LINES_PER_OBJECT = 4;

/** One Cloud Storage object as the emulator's storage API serves it. */
export interface StoredObject {
  readonly bucket: string;
  readonly name: string;
  /** The principal (service account) that submitted the workload: the only one the emulator lets read it. */
  readonly owner: string;
  readonly content: Buffer;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A workload whose driver output the emulator writes. */
export interface OutputSource {
  /** `gs://bucket/path/driveroutput`: objects are this plus `.000000000`, `.000000001`, ... */
  readonly uri: string;
  readonly owner: string;
  readonly id: string;
  readonly program: string;
  readonly args: readonly string[];
  readonly fails: boolean;
  /** When the workload entered RUNNING; no output before. */
  readonly runningAt?: number;
  /** When it left RUNNING (finished, failed or started cancelling): nothing is written after. */
  readonly stoppedAt?: number;
  readonly stepMs: number;
}

interface StateAt {
  readonly state?: string | null;
  readonly at?: string | null;
}

/** The RUNNING window of a state history, oldest first. */
function runningWindow(history: readonly StateAt[]): { runningAt?: number; stoppedAt?: number } {
  const i = history.findIndex((s) => s.state === 'RUNNING');
  if (i < 0 || !history[i]!.at) return {};
  const next = history[i + 1]?.at;
  return { runningAt: Date.parse(history[i]!.at!), ...(next ? { stoppedAt: Date.parse(next) } : {}) };
}

const driverConfig = (workload: Record<string, unknown>): { program: string; args: string[]; config: unknown } => {
  for (const key of ['pysparkJob', 'sparkJob', 'sparkRJob', 'sparkSqlJob', 'hiveJob', 'pigJob', 'hadoopJob', 'prestoJob', 'trinoJob', 'flinkJob', 'pysparkBatch', 'sparkBatch', 'sparkRBatch', 'sparkSqlBatch']) {
    const config = workload[key] as Record<string, unknown> | undefined;
    if (!config) continue;
    const main = config.mainPythonFileUri ?? config.mainRFileUri ?? config.mainClass ?? config.mainJarFileUri ?? config.queryFileUri ?? key;
    const args = Array.isArray(config.args) ? config.args.map(String) : [];
    return { program: String(main).split('/').pop() ?? String(main), args, config };
  }
  return { program: 'driver', args: [], config: undefined };
};

export function jobOutputSource(job: dataproc_v1.Schema$Job, owner: string, stepMs: number): OutputSource | undefined {
  if (!job.driverOutputResourceUri || !job.reference?.jobId) return undefined;
  const history = [...(job.statusHistory ?? []), ...(job.status ? [job.status] : [])].map((s) => ({ state: s.state, at: s.stateStartTime }));
  const driver = driverConfig(job as Record<string, unknown>);
  return {
    uri: job.driverOutputResourceUri,
    owner,
    id: job.reference.jobId,
    program: driver.program,
    args: driver.args,
    fails: JSON.stringify(driver.config ?? null).includes(FAIL_MARKER),
    stepMs,
    ...runningWindow(history),
  };
}

export function batchOutputSource(batch: dataproc_v1.Schema$Batch, owner: string, stepMs: number): OutputSource | undefined {
  const uri = batch.runtimeInfo?.outputUri;
  if (!uri || !batch.uuid) return undefined;
  const history = [...(batch.stateHistory ?? []).map((s) => ({ state: s.state, at: s.stateStartTime })), { state: batch.state, at: batch.stateTime }];
  const driver = driverConfig(batch as Record<string, unknown>);
  return { uri, owner, id: batch.uuid, program: driver.program, args: driver.args, fails: JSON.stringify(driver.config ?? null).includes(FAIL_MARKER), stepMs, ...runningWindow(history) };
}

/** Where a Serverless batch's driver output goes; Dataproc names a staging bucket and a path under the batch's uuid. */
export function serverlessOutputUri(location: string, projectNumber: string, batchUuid: string): string {
  return `gs://dataproc-staging-${location}-${projectNumber}-emulator/google-cloud-dataproc-metainfo/${batchUuid}/jobs/srvls-batch-${batchUuid}/driveroutput`;
}

/** log4j's console pattern on Dataproc images: `yy/MM/dd HH:mm:ss LEVEL logger: message`. */
const log4j = (at: number, level: string, logger: string, message: string) => {
  const iso = new Date(at).toISOString();
  return `${iso.slice(2, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)} ${iso.slice(11, 19)} ${level} ${logger}: ${message}`;
};

/** The driver's lines, each with the moment it is written, over the RUNNING step. */
function script(src: OutputSource): { at: number; text: string }[] {
  const runningAt = src.runningAt!;
  const args = src.args.join(' ');
  const lines: [string, string, string][] = [
    ['INFO', 'SparkEnv', 'Registering MapOutputTracker'],
    ['INFO', 'SparkContext', 'Running Spark version 3.5.1'],
    ['INFO', 'SparkContext', `Submitted application: ${src.program}`],
    ['INFO', 'DataprocDriver', `arguments: ${args || '(none)'}`],
    ['INFO', 'YarnClientImpl', `Submitted application application_${String(runningAt).slice(-10)}_0001`],
    ['INFO', 'DAGScheduler', 'Submitting 8 missing tasks from ResultStage 1 (MapPartitionsRDD[4])'],
  ];
  if (src.fails) {
    lines.push(['ERROR', 'DataprocDriver', `the job's configuration contains ${FAIL_MARKER}`]);
  } else {
    lines.push(
      ['INFO', 'DAGScheduler', 'ResultStage 1 finished in 2.104 s'],
      ['INFO', 'DataprocDriver', 'wrote 1,234 rows → output table'],
      ['INFO', 'SparkContext', 'Successfully stopped SparkContext'],
    );
  }
  // Spread over 90% of the step, so every line is written before the workload leaves RUNNING.
  const spacing = (src.stepMs * 0.9) / lines.length;
  const out = lines.map(([level, logger, message], i) => {
    const at = runningAt + Math.floor(i * spacing);
    return { at, text: log4j(at, level, logger, message) };
  });
  if (src.fails) {
    const at = out[out.length - 1]!.at;
    for (const text of ['Traceback (most recent call last):', `  File "/tmp/${src.id}/${src.program}", line 42, in <module>`, `RuntimeError: ${FAIL_MARKER}`]) out.push({ at, text });
  }
  return out;
}

/** The lines written by `now`. */
function writtenLines(src: OutputSource, now: number): { at: number; text: string }[] {
  if (src.runningAt === undefined || now < src.runningAt) return [];
  const until = Math.min(now, src.stoppedAt === undefined ? Number.POSITIVE_INFINITY : src.stoppedAt - 1);
  return script(src).filter((l) => l.at <= until);
}

/** The objects of a workload's output at `now`: every LINES_PER_OBJECT lines start the next object. */
export function outputObjects(src: OutputSource, now: number): StoredObject[] {
  const match = /^gs:\/\/([^/]+)\/(.+)$/.exec(src.uri);
  if (!match) return [];
  const [, bucket, path] = match;
  const lines = writtenLines(src, now);
  const objects: StoredObject[] = [];
  for (let i = 0; i < lines.length; i += LINES_PER_OBJECT) {
    const part = lines.slice(i, i + LINES_PER_OBJECT);
    objects.push({
      bucket: bucket!,
      name: `${path}.${String(i / LINES_PER_OBJECT).padStart(9, '0')}`,
      owner: src.owner,
      content: Buffer.from(part.map((l) => `${l.text}\n`).join(''), 'utf8'),
      createdAt: part[0]!.at,
      updatedAt: part[part.length - 1]!.at,
    });
  }
  return objects;
}

export const md5Base64 = (content: Buffer) => createHash('md5').update(content).digest('base64');
