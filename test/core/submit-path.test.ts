// The order of every ledger write, slot, backend call, metric and audit event on each path of a submission (and of
// cancel and read): this order is the exactly-once guarantee (a row before the backend call, the backend's answer
// recorded after it, a slot given back when a job ends), so a change to it must show up here.
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoLedger } from '../../lambda/adapters/dynamodb/ledger.js';
import { AuditTrail } from '../../lambda/core/audit.js';
import type { BackendRef, BackendState, JobBackend, Submission } from '../../lambda/core/backend.js';
import { TemplateCatalog } from '../../lambda/core/catalog.js';
import { BackendFailure, BackendRejected, BadRequest, IdempotencyConflict, ParameterValidationFailed, TooManyRequests } from '../../lambda/core/errors.js';
import { JobsService, type RequestFacts } from '../../lambda/core/jobs.js';
import { KeyedHash } from '../../lambda/core/keyed-hash.js';
import type { ActiveSlots, Ledger } from '../../lambda/core/ledger.js';
import type { JobMetrics } from '../../lambda/core/metrics.js';
import type { Principal } from '../../lambda/core/principal.js';
import { parseTemplate } from '../../lambda/core/template-loader.js';
import { startEmbeddedLedger, type EmbeddedLedger } from '../../local/embedded-ledger.js';

const LIMITED = parseTemplate(
  `id: one-at-a-time
description: a Dataproc job limited to one active job per principal
backend: dataproc
allowedGroups: [analysts]
parameters: {type: object, additionalProperties: false, required: [n], properties: {n: {type: integer, minimum: 0}, email: {type: string}}}
personalParameters: [email]
limits: {maxActivePerPrincipal: 1}
dataproc: {job: {placement: {clusterName: etl}, pysparkJob: {mainPythonFileUri: gs://b/p.py, args: ["--n", "{{n}}"]}}}
`,
  'one-at-a-time.yaml',
);
// A list passes the parameter schema, but it cannot fill the string field of the Dataproc request it lands in.
const MISRENDERS = parseTemplate(
  `id: misrenders
description: a template whose rendered request can be invalid
backend: dataproc
allowedGroups: [analysts]
parameters: {type: object, additionalProperties: false, required: [uri], properties: {uri: {type: array, items: {type: string}}}}
dataproc: {job: {placement: {clusterName: etl}, pysparkJob: {mainPythonFileUri: "{{uri}}"}}}
`,
  'misrenders.yaml',
);

let store: EmbeddedLedger;
let real: DynamoLedger;
beforeAll(async () => {
  store = await startEmbeddedLedger();
  real = new DynamoLedger(store.client, store.tableName);
});
afterAll(() => store.close());

/** Every call the service makes on its ports, in order: `ledger.reserve`, `backend.submit`, `audit job.denied active_limit`, ... */
let trace: string[];
/** What the scripted backend answers next. */
let backendSubmit: (s: Submission) => Promise<BackendRef & BackendState>;
let backendState: () => Promise<BackendState>;

function traced<T extends object>(port: string, target: T): T {
  return new Proxy(target, {
    get(t, name) {
      const value = Reflect.get(t, name, t) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        trace.push(`${port}.${String(name)}`);
        return (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

const backend: JobBackend = {
  name: 'dataproc',
  plan: (s) => ({ method: 'POST', url: `https://dataproc.googleapis.com/v1/projects/p/regions/r/jobs:submit#${s.jobId}` }),
  submit: (s) => backendSubmit(s),
  get: () => backendState(),
  cancel: async () => ({ status: 'CANCELLED', backendStatus: 'CANCELLED' }),
};

const metrics: JobMetrics = traced('metrics', { submitted: () => {}, submitFailed: () => {}, cancelled: () => {}, backendLatency: () => {} });

function service(options: { slots?: boolean } = {}): JobsService {
  const audit = new AuditTrail(new Logger({ logLevel: 'SILENT' }), [(l) => trace.push(`audit ${String(l.event)}${l.reason ? ` ${String(l.reason)}` : ''}`)]);
  const key = new KeyedHash('k'.repeat(32));
  return new JobsService({
    catalog: new TemplateCatalog([LIMITED, MISRENDERS]),
    backends: { dataproc: traced('backend', backend) },
    ledger: traced<Ledger>('ledger', real),
    ...(options.slots !== false && { slots: traced<ActiveSlots>('slots', real) }),
    audit,
    access: { auditorGroups: ['auditors'], adminGroups: ['admins'] },
    keyedHash: async () => key,
    metrics,
    log: { warn: (message) => trace.push(`log ${message}`) },
  });
}

const req: RequestFacts = { requestId: 'req-1', baseUrl: 'https://api.example.com/v1' };
let n = 0;
/** A principal of its own per test, so no test holds another's slot. */
const someone = (): Principal => ({ issuer: 'https://idp.example.com', subject: `user-${++n}`, groups: ['analysts'], kind: 'user', scopes: [] });
const accept = async (s: Submission) => ({ kind: 'job' as const, id: s.jobId, status: 'QUEUED' as const, backendStatus: 'PENDING' });
const running = async (): Promise<BackendState> => ({ status: 'RUNNING', backendStatus: 'RUNNING' });

beforeEach(() => {
  trace = [];
  backendSubmit = accept;
  backendState = running;
});

/** Submit and return what the caller saw (a result or the error), with the trace of that call alone. */
async function submitting(jobs: JobsService, principal: Principal, parameters: unknown, more: { idempotencyKey?: string; dryRun?: boolean; template?: string } = {}) {
  trace = [];
  const outcome = await jobs.submit({ principal, template: more.template ?? LIMITED.id, parameters, ...more }, req).catch((e: unknown) => e);
  return { outcome, trace: [...trace] };
}

describe('submit, in order', () => {
  it('reserves the row and holds a slot before it calls the backend once, then records the backend’s answer and audits it', async () => {
    const { outcome, trace } = await submitting(service(), someone(), { n: 1 }, { idempotencyKey: 'first' });
    expect(trace).toEqual(['ledger.get', 'ledger.reserve', 'slots.claim', 'backend.submit', 'metrics.backendLatency', 'ledger.recordSubmission', 'metrics.submitted', 'audit job.submitted']);
    expect(outcome).toMatchObject({ kind: 'submitted', replayed: false, job: { status: 'QUEUED', backendStatus: 'PENDING' } });
  });

  it('answers a retry from the ledger row: no second reservation, slot or backend call', async () => {
    const jobs = service();
    const alice = someone();
    const first = await submitting(jobs, alice, { n: 1 }, { idempotencyKey: 'k' });
    const retry = await submitting(jobs, alice, { n: 1 }, { idempotencyKey: 'k' });
    expect(retry.trace).toEqual(['ledger.get']);
    expect(retry.outcome).toMatchObject({ kind: 'submitted', replayed: true, job: { id: (first.outcome as { job: { id: string } }).job.id } });
  });

  it('refuses the same Idempotency-Key with another body as a conflict, audited, writing nothing', async () => {
    const jobs = service();
    const alice = someone();
    await submitting(jobs, alice, { n: 1 }, { idempotencyKey: 'k' });
    const other = await submitting(jobs, alice, { n: 2 }, { idempotencyKey: 'k' });
    expect(other.trace).toEqual(['ledger.get', 'audit job.denied idempotency_conflict']);
    expect(other.outcome).toBeInstanceOf(IdempotencyConflict);
  });

  it('leaves a job reserved after a transient backend failure, and the retry finishes it through the same row', async () => {
    const jobs = service();
    const alice = someone();
    backendSubmit = async () => {
      throw new BackendFailure('dataproc', 503, 'UNAVAILABLE', 'try later');
    };
    const failed = await submitting(jobs, alice, { n: 1 }, { idempotencyKey: 'k' });
    expect(failed.trace).toEqual(['ledger.get', 'ledger.reserve', 'slots.claim', 'backend.submit', 'metrics.submitFailed', 'audit job.submit_failed UNAVAILABLE']);
    expect(failed.outcome).toBeInstanceOf(BackendFailure);

    backendSubmit = accept;
    const retry = await submitting(jobs, alice, { n: 1 }, { idempotencyKey: 'k' });
    // The slot is claimed again (idempotent per job), then the backend's de-duplication makes the second call safe.
    expect(retry.trace).toEqual(['ledger.get', 'slots.claim', 'backend.submit', 'metrics.backendLatency', 'ledger.recordSubmission', 'metrics.submitted', 'audit job.submitted']);
    expect(retry.outcome).toMatchObject({ kind: 'submitted', replayed: true, job: { status: 'QUEUED' } });
  });

  it('ends a job the backend definitely rejected, and gives its slot back', async () => {
    const jobs = service();
    const alice = someone();
    backendSubmit = async () => {
      throw new BackendRejected('dataproc', 'INVALID_ARGUMENT', 'no such cluster');
    };
    const rejected = await submitting(jobs, alice, { n: 1 });
    expect(rejected.trace).toEqual([
      'ledger.reserve',
      'slots.claim',
      'backend.submit',
      'metrics.submitFailed',
      'audit job.submit_failed INVALID_ARGUMENT',
      'ledger.updateStatus',
      'slots.release',
    ]);
    expect(rejected.outcome).toBeInstanceOf(BackendRejected);
    // The slot is free: the next job is accepted.
    backendSubmit = accept;
    expect((await submitting(jobs, alice, { n: 2 })).outcome).toMatchObject({ kind: 'submitted' });
  });

  it('over the limit, asks the backend about the slot holder, then discards the reservation and audits the refusal', async () => {
    const jobs = service();
    const alice = someone();
    await submitting(jobs, alice, { n: 1 });
    const over = await submitting(jobs, alice, { n: 2 });
    expect(over.trace).toEqual([
      'ledger.reserve',
      'slots.claim',
      'slots.holders',
      'ledger.get',
      'backend.get',
      'metrics.backendLatency',
      'ledger.updateStatus',
      'ledger.discard',
      'audit job.denied active_limit',
    ]);
    expect(over.outcome).toBeInstanceOf(TooManyRequests);
  });

  it('frees the slot of a holder that has finished since it was last read, and takes it', async () => {
    const jobs = service();
    const alice = someone();
    await submitting(jobs, alice, { n: 1 });
    backendState = async () => ({ status: 'SUCCEEDED', backendStatus: 'DONE' });
    const next = await submitting(jobs, alice, { n: 2 });
    expect(next.trace).toEqual([
      'ledger.reserve',
      'slots.claim',
      'slots.holders',
      'ledger.get',
      'backend.get',
      'metrics.backendLatency',
      'ledger.updateStatus',
      // once as the refreshed job settles, once as the claim frees it: releasing is idempotent per job
      'slots.release',
      'slots.release',
      'slots.claim',
      'backend.submit',
      'metrics.backendLatency',
      'ledger.recordSubmission',
      'metrics.submitted',
      'audit job.submitted',
    ]);
    expect(next.outcome).toMatchObject({ kind: 'submitted', replayed: false });
  });

  it('without race-free slots, checks the limit by listing the active jobs before it reserves', async () => {
    const jobs = service({ slots: false });
    const alice = someone();
    const first = await submitting(jobs, alice, { n: 1 });
    expect(first.trace).toEqual(['ledger.listActive', 'ledger.reserve', 'backend.submit', 'metrics.backendLatency', 'ledger.recordSubmission', 'metrics.submitted', 'audit job.submitted']);
    const over = await submitting(jobs, alice, { n: 2 });
    expect(over.trace).toEqual(['ledger.listActive', 'backend.get', 'metrics.backendLatency', 'ledger.updateStatus', 'audit job.denied active_limit']);
    expect(over.outcome).toBeInstanceOf(TooManyRequests);
  });

  it('plans a dry run and audits it, with no ledger row and no backend call', async () => {
    const { outcome, trace } = await submitting(service(), someone(), { n: 1, email: 'a@example.com' }, { dryRun: true });
    expect(trace).toEqual(['backend.plan', 'audit job.dry_run']);
    expect(outcome).toMatchObject({ kind: 'dryRun', template: LIMITED.id, backend: 'dataproc', request: { method: 'POST' } });
  });

  it('refuses invalid parameters (audited), a request that renders invalid and a malformed Idempotency-Key before anything is written', async () => {
    const invalid = await submitting(service(), someone(), { n: -1 });
    expect(invalid.trace).toEqual(['audit job.denied invalid_parameters']);
    expect(invalid.outcome).toBeInstanceOf(ParameterValidationFailed);

    const misrendered = await submitting(service(), someone(), { uri: ['gs://b/p.py'] }, { template: MISRENDERS.id });
    expect(misrendered.trace).toEqual([]);
    expect(misrendered.outcome).toBeInstanceOf(ParameterValidationFailed);
    expect((misrendered.outcome as ParameterValidationFailed).errors).toEqual([expect.objectContaining({ pointer: '/parameters', detail: expect.stringContaining('renders an invalid dataproc request') })]);

    const badKey = await submitting(service(), someone(), { n: 1 }, { idempotencyKey: 'has space' });
    expect(badKey.trace).toEqual([]);
    expect(badKey.outcome).toBeInstanceOf(BadRequest);
  });
});

describe('cancel and read, in order', () => {
  it('cancels on the backend, records the status with the cancel request, gives the slot back, then audits', async () => {
    const jobs = service();
    const alice = someone();
    const { outcome } = await submitting(jobs, alice, { n: 1 });
    trace = [];
    const cancelled = await jobs.cancel(alice, (outcome as { job: { id: string } }).job.id, req);
    expect(trace).toEqual(['ledger.get', 'backend.cancel', 'metrics.backendLatency', 'ledger.updateStatus', 'slots.release', 'metrics.cancelled', 'audit job.cancelled requested']);
    expect(cancelled).toMatchObject({ status: 'CANCELLED' });
  });

  it('answers a read from the ledger when the backend fails, and logs why', async () => {
    const jobs = service();
    const alice = someone();
    const { outcome } = await submitting(jobs, alice, { n: 1 });
    backendState = async () => {
      throw new BackendFailure('dataproc', 503, 'UNAVAILABLE', 'try later');
    };
    trace = [];
    const read = await jobs.get(alice, (outcome as { job: { id: string } }).job.id, req);
    expect(trace).toEqual(['ledger.get', 'backend.get', 'log status refresh failed; answering from the ledger']);
    expect(read).toMatchObject({ status: 'QUEUED', backendStatus: 'PENDING' });
  });
});
