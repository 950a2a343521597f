// Shared GIVENs for the reliability tests: templates without limits on every backend kind, a seeded PRNG, and a
// client that retries a submission with its Idempotency-Key until it gets an answer.
import { Logger } from '@aws-lambda-powertools/logger';
import { deriveDataprocIds } from '../../lambda/adapters/dataproc/ids.js';
import { AuditTrail } from '../../lambda/core/audit.js';
import type { JobBackend } from '../../lambda/core/backend.js';
import type { BackendName } from '../../contract/backends.js';
import { TemplateCatalog } from '../../lambda/core/catalog.js';
import { JobsService } from '../../lambda/core/jobs.js';
import type { Ledger } from '../../lambda/core/ledger.js';
import type { Principal } from '../../lambda/core/principal.js';
import { parseTemplate } from '../../lambda/core/template-loader.js';
import type { Template } from '../../contract/template.js';
import type { TestGateway } from '../e2e/local-mode.js';

const template = (yaml: string, id: string): Template => parseTemplate(yaml, `${id}.yaml`);

/** One template per backend request kind, runnable by `analysts`, with no per-principal limit. */
export const RELIABILITY_TEMPLATES: readonly Template[] = [
  template(
    `id: rel-dataproc-job
description: reliability probe, Dataproc cluster job
backend: dataproc
allowedGroups: [analysts]
parameters: {type: object, additionalProperties: false, required: [n], properties: {n: {type: integer, minimum: 0}}}
dataproc: {job: {placement: {clusterName: etl-cluster}, pysparkJob: {mainPythonFileUri: gs://b/p.py, args: ["--n", "{{n}}"]}}}
`,
    'rel-dataproc-job',
  ),
  template(
    `id: rel-dataproc-batch
description: reliability probe, Dataproc Serverless batch
backend: dataproc
allowedGroups: [analysts]
parameters: {type: object, additionalProperties: false, required: [n], properties: {n: {type: integer, minimum: 0}}}
dataproc: {batch: {pysparkBatch: {mainPythonFileUri: gs://b/p.py, args: ["--n={{n}}"]}}}
`,
    'rel-dataproc-batch',
  ),
  template(
    `id: rel-databricks-run-now
description: reliability probe, Databricks run-now of the emulator's job 1042
backend: databricks
allowedGroups: [analysts]
parameters: {type: object, additionalProperties: false, required: [n], properties: {n: {type: integer, minimum: 0}}}
databricks: {runNow: {jobId: 1042, jobParameters: {feature_group: "g{{n}}"}}}
`,
    'rel-databricks-run-now',
  ),
  template(
    `id: rel-databricks-submit
description: reliability probe, Databricks one-off run
backend: databricks
allowedGroups: [analysts]
parameters: {type: object, additionalProperties: false, required: [n], properties: {n: {type: integer, minimum: 0}}}
databricks: {submit: {run_name: "rel {{n}}", tasks: [{task_key: t, notebook_task: {notebook_path: /p, base_parameters: {n: "{{n}}"}}}]}}
`,
    'rel-databricks-submit',
  ),
];

/** A template with a per-principal limit, for the limits test. */
export const LIMITED_TEMPLATE: Template = template(
  `id: rel-limited
description: reliability probe with a per-principal limit
backend: dataproc
allowedGroups: [analysts]
parameters: {type: object, additionalProperties: false, required: [n], properties: {n: {type: integer, minimum: 0}}}
limits: {maxActivePerPrincipal: 2}
dataproc: {job: {placement: {clusterName: etl-cluster}, pysparkJob: {mainPythonFileUri: gs://b/p.py, args: ["--n", "{{n}}"]}}}
`,
  'rel-limited',
);

/** mulberry32: a small seeded PRNG, so a failing run reproduces from its printed seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SubmitOutcome {
  /** Final status: 202, or a 4xx the client may not retry. */
  readonly status: number;
  readonly body: any;
  readonly attempts: number;
  /** Answers that made the client try again: 429, 5xx, or no answer at all. */
  readonly retried: { readonly status: number | 'network' }[];
}

/**
 * What a well-behaved client does: the same request with the same Idempotency-Key until a 202 or a final 4xx.
 * Retry-After is honoured up to `maxWaitMs`, so the test stays quick.
 */
export async function submitUntilAnswered(
  gw: TestGateway,
  token: string,
  request: { template: string; parameters: unknown; key: string },
  options: { maxAttempts?: number; maxWaitMs?: number; random?: () => number } = {},
): Promise<SubmitOutcome> {
  const maxAttempts = options.maxAttempts ?? 40;
  const maxWaitMs = options.maxWaitMs ?? 200;
  const random = options.random ?? Math.random;
  const retried: { status: number | 'network' }[] = [];
  for (let attempt = 1; ; attempt++) {
    let status: number | 'network';
    let body: any;
    let retryAfter: string | null = null;
    try {
      const res = await gw.call('POST', '/jobs', { token, body: { template: request.template, parameters: request.parameters }, headers: { 'Idempotency-Key': request.key } });
      status = res.status;
      body = res.body;
      retryAfter = res.headers.get('retry-after');
    } catch {
      status = 'network';
    }
    if (status !== 'network' && status < 500 && status !== 429) return { status, body, attempts: attempt, retried };
    retried.push({ status });
    if (attempt >= maxAttempts) throw new Error(`submission ${request.key} got no answer after ${attempt} attempts: ${JSON.stringify(retried)}`);
    const asked = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : 0;
    await new Promise((r) => setTimeout(r, Math.min(maxWaitMs, Math.max(asked, 20 + random() * 80))));
  }
}

/** Run `work` over `items` with at most `limit` in flight. */
export async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The handler "dies": thrown by the wrappers below at the chosen point of a submission. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

export type CrashPoint = 'after-reserve' | 'after-backend-call';

/**
 * A second JobsService over the same ledger table and emulators as the gateway, that dies at `point`:
 * after the ledger reserve and before the backend call, or after the backend accepted the job and before the ledger records it.
 */
export function crashingService(gw: TestGateway, point: CrashPoint, templates: readonly Template[] = RELIABILITY_TEMPLATES): JobsService {
  const real = gw.local.ledger.store;
  const ledger: Ledger = {
    reserve: (job) => real.reserve(job),
    recordSubmission: async (...args) => {
      if (point === 'after-backend-call') throw new SimulatedCrash(`died before recording job ${args[0]}`);
      return real.recordSubmission(...args);
    },
    updateStatus: (...args) => real.updateStatus(...args),
    get: (id) => real.get(id),
    discard: (id) => real.discard(id),
    listByPrincipal: (...args) => real.listByPrincipal(...args),
    listActive: (...args) => real.listActive(...args),
    listPending: (...args) => real.listPending(...args),
    transition: (...args) => real.transition(...args),
    listByPendingState: (...args) => real.listByPendingState(...args),
  };
  const crashBefore = async (name: BackendName): Promise<JobBackend> => {
    const backend = await gw.local.service.backendFor({ backend: name });
    if (point !== 'after-reserve') return backend;
    return {
      name: backend.name,
      plan: (s) => backend.plan(s),
      submit: async (s) => {
        throw new SimulatedCrash(`died before calling ${name} for job ${s.jobId}`);
      },
      get: (ref) => backend.get(ref),
      cancel: (ref) => backend.cancel(ref),
    };
  };
  return new JobsService({
    catalog: new TemplateCatalog(templates),
    backends: { dataproc: () => crashBefore('dataproc'), databricks: () => crashBefore('databricks') },
    ledger,
    slots: real,
    audit: new AuditTrail(new Logger({ logLevel: 'SILENT' })),
    access: gw.local.config.access,
    keyedHash: gw.local.keyedHash,
  });
}

/** The principal a token from the local identity provider for `subject` carries. */
export const localPrincipal = (gw: TestGateway, subject: string, groups: string[] = ['analysts']): Principal => ({
  issuer: gw.local.idp!.issuer,
  subject,
  groups,
  kind: 'user',
  scopes: [],
});

export const REQUEST_FACTS = { requestId: 'reliability-test', baseUrl: 'http://localhost' };

/** The backend jobs an emulator holds for our job id: Dataproc by job/batch id, Databricks by idempotency token. */
export function backendJobsFor(gw: TestGateway, template: string, jobId: string): string[] {
  const t = [...RELIABILITY_TEMPLATES, LIMITED_TEMPLATE].find((x) => x.id === template);
  if (t?.backend === 'databricks') return gw.local.databricks!.runs().filter((r) => r.idempotencyToken === jobId).map((r) => String(r.runId));
  if (t?.dataproc?.batch) {
    const { batchId } = deriveDataprocIds(jobId);
    return gw.local.dataproc!.batches().filter((b) => b.batch.name?.endsWith(`/batches/${batchId}`)).map(() => batchId);
  }
  return gw.local.dataproc!.jobs().filter((j) => j.job.reference?.jobId === jobId).map(() => jobId);
}
