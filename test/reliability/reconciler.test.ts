// Reserved rows that no retry comes back for: the reconciler asks the backend and records, abandons or flags each one.
import { Logger } from '@aws-lambda-powertools/logger';
import { AuditTrail } from '../../lambda/core/audit.js';
import type { JobBackend } from '../../lambda/core/backend.js';
import type { BackendName } from '../../contract/backends.js';
import { TemplateCatalog } from '../../lambda/core/catalog.js';
import { InvalidReconcilerSetting, Reconciler, type ReconcileReport } from '../../lambda/core/reconciler.js';
import type { Template } from '../../contract/template.js';
import { startTestGateway, type TestGateway } from '../e2e/local-mode.js';
import { backendJobsFor, crashingService, localPrincipal, RELIABILITY_TEMPLATES, REQUEST_FACTS, SimulatedCrash, type CrashPoint } from './support.js';

const PENDING_AFTER_MS = 15 * 60_000;
let gw: TestGateway;
const audit: Record<string, unknown>[] = [];
const reports: ReconcileReport[] = [];

beforeAll(async () => {
  gw = await startTestGateway({ templates: RELIABILITY_TEMPLATES });
});
afterAll(async () => {
  const sum = (k: 'recorded' | 'abandoned' | 'unconfirmed' | 'failed' | 'settledMeanwhile') => reports.reduce((n, r) => n + r[k].length, 0);
  console.log(
    `[reliability/reconciler] passes=${reports.length} examined=${reports.reduce((n, r) => n + r.examined, 0)} recorded=${sum('recorded')} ` +
      `abandoned=${sum('abandoned')} unconfirmed=${sum('unconfirmed')} failed=${sum('failed')} settledMeanwhile=${sum('settledMeanwhile')} auditEvents=${audit.length}`,
  );
  await gw?.stop();
});

/** A pass as the scheduled function runs it; `minutesLater` moves its clock so the rows look old. */
async function reconcile(
  minutesLater = 20,
  backendFor?: (name: BackendName) => Promise<JobBackend>,
  templates: readonly Template[] = RELIABILITY_TEMPLATES,
): Promise<ReconcileReport> {
  const reconciler = new Reconciler({
    ledger: gw.local.ledger.store,
    backendFor: backendFor ?? ((name) => gw.local.service.backendFor({ backend: name })),
    catalog: new TemplateCatalog(templates),
    audit: new AuditTrail(new Logger({ logLevel: 'SILENT' }), [(line) => audit.push(line)]),
    pendingAfterMs: PENDING_AFTER_MS,
    now: () => new Date(Date.now() + minutesLater * 60_000),
  });
  const report = await reconciler.run();
  reports.push(report);
  return report;
}

/** A submission whose handler died at `point` and that nobody retried: its row stays reserved. */
async function abandonedSubmission(template: string, point: CrashPoint, subject: string): Promise<string> {
  const principal = localPrincipal(gw, subject);
  await expect(crashingService(gw, point).submit({ principal, template, parameters: { n: 1 }, idempotencyKey: 'k' }, REQUEST_FACTS)).rejects.toBeInstanceOf(SimulatedCrash);
  const [row] = (await gw.local.ledger.store.listByPrincipal(`${principal.issuer}#${subject}`, { limit: 1 })).items;
  expect(row?.pending).toBe('RESERVED');
  return row!.id;
}

const reconciled = (jobId: string) => audit.filter((e) => e.event === 'job.reconciled' && e.jobId === jobId);

describe('settling reservations nobody came back for', () => {
  const ids: Record<string, string> = {};

  it('leaves reservations younger than the threshold alone', async () => {
    ids.dataprocLost = await abandonedSubmission('rel-dataproc-job', 'after-reserve', 'lost-dataproc');
    ids.dataprocJob = await abandonedSubmission('rel-dataproc-job', 'after-backend-call', 'orphan-dataproc-job');
    ids.dataprocBatch = await abandonedSubmission('rel-dataproc-batch', 'after-backend-call', 'orphan-dataproc-batch');
    ids.databricksLost = await abandonedSubmission('rel-databricks-run-now', 'after-reserve', 'lost-databricks');
    ids.databricksRun = await abandonedSubmission('rel-databricks-submit', 'after-backend-call', 'orphan-databricks-run');

    const early = await reconcile(0);
    expect(early.examined).toBe(0);
    expect((await gw.local.ledger.store.get(ids.dataprocJob!))?.pending).toBe('RESERVED');
  });

  it('records jobs the backend has, abandons those it never got, and flags what it cannot tell', async () => {
    const report = await reconcile();

    expect([...report.recorded].sort()).toEqual([ids.dataprocJob, ids.dataprocBatch].sort());
    expect([...report.abandoned].sort()).toEqual([ids.dataprocLost, ids.databricksLost].sort());
    expect(report.unconfirmed).toEqual([ids.databricksRun]);
    expect(report.failed).toEqual([]);

    // Recorded: the row now points at the one backend job and follows it.
    for (const [id, template] of [[ids.dataprocJob!, 'rel-dataproc-job'], [ids.dataprocBatch!, 'rel-dataproc-batch']] as const) {
      const row = await gw.local.ledger.store.get(id);
      expect(row?.pending).toBeUndefined();
      expect(row?.backendRef?.id).toBe(backendJobsFor(gw, template, id)[0]);
      expect(reconciled(id)).toEqual([expect.objectContaining({ outcome: 'success', resolution: 'recorded', backendJobId: row!.backendRef!.id, actor: 'reconciler' })]);
    }
    // Abandoned: FAILED, saying why; nothing was started.
    for (const id of [ids.dataprocLost!, ids.databricksLost!]) {
      expect(await gw.local.ledger.store.get(id)).toMatchObject({ status: 'FAILED', backendStatus: 'NOT_SUBMITTED', message: expect.stringContaining('never reached') });
      expect(reconciled(id)).toEqual([expect.objectContaining({ outcome: 'success', resolution: 'abandoned' })]);
    }
    expect(backendJobsFor(gw, 'rel-dataproc-job', ids.dataprocLost!)).toHaveLength(0);
    // Unconfirmed: Databricks cannot look a run up by idempotency token, so the candidate run is named, not adopted.
    const [runId] = backendJobsFor(gw, 'rel-databricks-submit', ids.databricksRun!);
    const flagged = await gw.local.ledger.store.get(ids.databricksRun!);
    expect(flagged).toMatchObject({ status: 'FAILED', backendStatus: 'UNCONFIRMED' });
    expect(flagged?.message).toContain(runId);
    expect(reconciled(ids.databricksRun!)).toEqual([expect.objectContaining({ resolution: 'unconfirmed', candidates: [runId] })]);
  });

  it('answers a late retry from the settled row and never starts a second job', async () => {
    const lost = await gw.call('POST', '/jobs', { token: await gw.token('lost-dataproc', ['analysts']), body: { template: 'rel-dataproc-job', parameters: { n: 1 } }, headers: { 'Idempotency-Key': 'k' } });
    expect(lost.status).toBe(202);
    expect(lost.body).toMatchObject({ id: ids.dataprocLost, status: 'FAILED', backendStatus: 'NOT_SUBMITTED' });
    expect(backendJobsFor(gw, 'rel-dataproc-job', ids.dataprocLost!)).toHaveLength(0);

    const orphan = await gw.call('POST', '/jobs', { token: await gw.token('orphan-dataproc-job', ['analysts']), body: { template: 'rel-dataproc-job', parameters: { n: 1 } }, headers: { 'Idempotency-Key': 'k' } });
    expect(orphan.body.id).toBe(ids.dataprocJob);
    expect(backendJobsFor(gw, 'rel-dataproc-job', ids.dataprocJob!)).toHaveLength(1);
  });

  it('settles each row once: a second pass finds nothing', async () => {
    expect((await reconcile()).examined).toBe(0);
  });
});

describe('when the backend cannot be asked', () => {
  it('keeps the row pending, audits the failure, and settles it on a later pass', async () => {
    const id = await abandonedSubmission('rel-dataproc-job', 'after-backend-call', 'orphan-during-outage');
    gw.local.dataproc!.faults.settings = { errorRate: 1, kinds: ['503'], latencyMs: 0 };
    try {
      const during = await reconcile();
      expect(during.failed).toEqual([id]);
      expect((await gw.local.ledger.store.get(id))?.pending).toBe('RESERVED');
      expect(reconciled(id)).toEqual([expect.objectContaining({ outcome: 'failure', reason: 'lookup_failed' })]);
    } finally {
      gw.local.dataproc!.faults.settings = { errorRate: 0, kinds: ['500'], latencyMs: 0 };
    }
    const after = await reconcile();
    expect(after.recorded).toEqual([id]);
    expect((await gw.local.ledger.store.get(id))?.backendRef?.id).toBe(id);
  });
});

describe('edge cases', () => {
  it('flags a row as unconfirmed when its backend has no lookup at all', async () => {
    const id = await abandonedSubmission('rel-dataproc-job', 'after-reserve', 'no-lookup');
    const real = await gw.local.service.backendFor({ backend: 'dataproc' });
    const withoutLookup: JobBackend = { name: 'dataproc', plan: (s) => real.plan(s), submit: (s) => real.submit(s), get: (r) => real.get(r), cancel: (r) => real.cancel(r) };
    const report = await reconcile(20, async () => withoutLookup);
    expect(report.unconfirmed).toEqual([id]);
    expect(await gw.local.ledger.store.get(id)).toMatchObject({ status: 'FAILED', backendStatus: 'UNCONFIRMED', message: expect.stringContaining('cannot look jobs up') });
  });

  it('finds a Dataproc batch whose template has been removed since, by trying both kinds', async () => {
    const id = await abandonedSubmission('rel-dataproc-batch', 'after-backend-call', 'template-removed');
    const report = await reconcile(20, undefined, []);
    expect(report.recorded).toEqual([id]);
    expect((await gw.local.ledger.store.get(id))?.backendRef).toMatchObject({ kind: 'batch', id });
  });

  it('names every run in the window as a candidate when a Databricks template has been removed', async () => {
    const id = await abandonedSubmission('rel-databricks-run-now', 'after-backend-call', 'databricks-template-removed');
    const [runId] = backendJobsFor(gw, 'rel-databricks-run-now', id);
    const report = await reconcile(20, undefined, []);
    expect(report.unconfirmed).toEqual([id]);
    expect(reconciled(id)[0]?.candidates).toEqual(expect.arrayContaining([runId]));
  });

  it('walks every page of Databricks runs before calling a reservation absent or not', async () => {
    const reservedAt = new Date(Date.now() - 1000).toISOString();
    const token = await gw.token('many-runs', ['analysts']);
    for (let n = 0; n < 30; n++) expect((await gw.call('POST', '/jobs', { token, body: { template: 'rel-databricks-submit', parameters: { n } } })).status).toBe(202);
    const backend = await gw.local.service.backendFor({ backend: 'databricks' });
    const template = RELIABILITY_TEMPLATES.find((t) => t.id === 'rel-databricks-submit');
    const result = await backend.lookup!({ jobId: 'job-notarealjobnotarealjobnot', template, reservedAt });
    expect(result.outcome).toBe('unknown');
    expect(result.outcome === 'unknown' && result.candidates!.length).toBeGreaterThanOrEqual(30);
    // Runs of another kind (the run-now runs of earlier tests are in the window too) are not candidates.
    const runNowRuns = gw.local.databricks!.runs().filter((r) => r.runType === 'JOB_RUN').map((r) => String(r.runId));
    expect(runNowRuns.length).toBeGreaterThan(0);
    expect(result.outcome === 'unknown' && result.candidates!.filter((c) => runNowRuns.includes(c))).toEqual([]);
  });

  it('never overwrites a row a retry confirmed while the backend was being asked', async () => {
    const subject = 'retried-meanwhile';
    const id = await abandonedSubmission('rel-dataproc-job', 'after-backend-call', subject);
    const real = await gw.local.service.backendFor({ backend: 'dataproc' });
    const token = await gw.token(subject, ['analysts']);
    // The client's retry lands between the reconciler's lookup and its write.
    const racing: JobBackend = {
      name: 'dataproc',
      plan: (s) => real.plan(s),
      submit: (s) => real.submit(s),
      get: (r) => real.get(r),
      cancel: (r) => real.cancel(r),
      lookup: async () => {
        const retry = await gw.call('POST', '/jobs', { token, body: { template: 'rel-dataproc-job', parameters: { n: 1 } }, headers: { 'Idempotency-Key': 'k' } });
        expect(retry.status).toBe(202);
        return { outcome: 'absent' };
      },
    };
    const report = await reconcile(20, async () => racing);
    expect(report.settledMeanwhile).toEqual([id]);
    const row = await gw.local.ledger.store.get(id);
    expect(row?.status).not.toBe('FAILED');
    expect(row?.backendRef?.id).toBe(id);
    expect(reconciled(id)).toEqual([]);
  });

  it('refuses a threshold shorter than a submit can take', () => {
    const make = (pendingAfterMs: number) =>
      new Reconciler({ ledger: gw.local.ledger.store, backendFor: () => Promise.reject(new Error('unused')), catalog: new TemplateCatalog([]), audit: new AuditTrail(new Logger({ logLevel: 'SILENT' })), pendingAfterMs });
    expect(() => make(30_000)).toThrow(InvalidReconcilerSetting);
    expect(() => make(30_000)).toThrow(/at least 120000 ms/);
    expect(() => make(Number.NaN)).toThrow(InvalidReconcilerSetting);
    expect(make(PENDING_AFTER_MS)).toBeInstanceOf(Reconciler);
  });
});
