// Exactly-once under faults: both emulators fail ~30% of calls (429, 500, 503, held-then-dropped connections, resets
// before and after the work, slow answers) while clients retry each submission with its Idempotency-Key.
import type { FaultKind, FaultSettings } from '../../local/emulators/faults.js';
import { GATEWAY_LABEL } from '../../lambda/adapters/dataproc/labels.js';
import { startTestGateway, type TestGateway } from '../e2e/local-mode.js';
import { backendJobsFor, inPool, RELIABILITY_TEMPLATES, seededRandom, submitUntilAnswered, type SubmitOutcome } from './support.js';

const SEED = Number(process.env.RELIABILITY_SEED ?? 20261121);
const PER_TEMPLATE = 130; // × 4 templates = 520 submissions
const CONCURRENCY = 24;
const FAULTS: FaultSettings = {
  errorRate: 0.3,
  kinds: ['429', '500', '503', 'timeout', 'reset', 'slow'],
  latencyMs: 0,
  // A `timeout` holds the connection this long and drops it; `slow` answers after it.
  timeoutMs: 300,
};

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({
    templates: RELIABILITY_TEMPLATES,
    adjust: (c) => {
      // The stage throttle is not under test here.
      c.api.throttle = { rateLimit: 10000, burstLimit: 10000 };
      c.api.routeThrottles = {};
      // Databricks calls get no retries of their own, so failures reach the client and its retries replay reserved rows.
      c.databricks!.maxRetries = 0;
    },
  });
});
afterAll(() => gw?.stop());

it('starts exactly one backend job per accepted submission, and records every backend job, with 30% of backend calls failing', async () => {
  const started = Date.now();
  const random = seededRandom(SEED);
  gw.local.dataproc!.faults.settings = { ...FAULTS };
  gw.local.databricks!.faults.settings = { ...FAULTS };
  const tokens = await Promise.all(Array.from({ length: 6 }, (_, i) => gw.token(`faulty-${i}`, ['analysts'])));
  // Count the nastiest fault apart: the emulator did the work, then dropped the connection before answering.
  const resetsAfterWork = { dataproc: 0, databricks: 0 };
  for (const name of ['dataproc', 'databricks'] as const) {
    const faults = gw.local[name]!.faults;
    const intercept = faults.intercept.bind(faults);
    faults.intercept = async (...args) => {
      const verdict = await intercept(...args);
      if (verdict.dropAfterWork) resetsAfterWork[name]++;
      return verdict;
    };
  }

  // GIVEN 520 distinct submissions over the four kinds of backend request
  const submissions = RELIABILITY_TEMPLATES.flatMap((t) =>
    Array.from({ length: PER_TEMPLATE }, (_, n) => ({ template: t.id, backend: t.backend, parameters: { n }, key: `${t.id}-${SEED}-${n}`, token: tokens[n % tokens.length]! })),
  );

  // WHEN each is retried with its key until it is answered
  const outcomes: SubmitOutcome[] = await inPool(submissions, CONCURRENCY, (s) => submitUntilAnswered(gw, s.token, s, { random }));
  gw.local.dataproc!.faults.settings = { errorRate: 0, kinds: ['500'], latencyMs: 0 };
  gw.local.databricks!.faults.settings = { errorRate: 0, kinds: ['500'], latencyMs: 0 };

  // THEN every submission was accepted exactly once…
  const finalStatuses = countBy(outcomes.map((o) => String(o.status)));
  expect(finalStatuses).toEqual({ '202': submissions.length });
  const accepted = outcomes.map((o, i) => ({ ...submissions[i]!, id: o.body.id as string }));
  expect(new Set(accepted.map((a) => a.id)).size).toBe(submissions.length);

  // …each 202 maps to exactly one backend job, found by the de-duplication key derived from our id…
  const dpJobs = gw.local.dataproc!.jobs();
  const dpBatches = gw.local.dataproc!.batches();
  const dbRuns = gw.local.databricks!.runs();
  let duplicates = 0;
  let lost = 0;
  let mismatched = 0;
  for (const a of accepted) {
    const matches = backendJobsFor(gw, a.template, a.id);
    if (matches.length === 0) lost++;
    if (matches.length > 1) duplicates++;
    const row = await gw.local.ledger.store.get(a.id);
    if (!row?.backendRef || row.pending || row.backendRef.id !== matches[0]) mismatched++;
  }

  // …and every backend job belongs to a ledger row that points back at it.
  const backendJobs = [
    ...dpJobs.map((j) => ({ ours: j.job.reference!.jobId!, backendId: j.job.reference!.jobId! })),
    ...dpBatches.map((b) => ({ ours: b.batch.labels?.[GATEWAY_LABEL.jobId] ?? '', backendId: b.batch.name!.split('/').pop()! })),
    ...dbRuns.map((r) => ({ ours: r.idempotencyToken ?? '', backendId: String(r.runId) })),
  ];
  let orphans = 0;
  for (const j of backendJobs) {
    const row = j.ours ? await gw.local.ledger.store.get(j.ours) : undefined;
    if (row?.backendRef?.id !== j.backendId) orphans++;
  }

  // Submissions whose first try failed after the reservation and that a retry completed from the reserved row.
  const failedIds = new Set(gw.audit.filter((e) => e.event === 'job.submit_failed').map((e) => e.jobId));
  const completedByRetry = accepted.filter((a) => failedIds.has(a.id)).length;
  const attempts = outcomes.reduce((n, o) => n + o.attempts, 0);
  const clientRetries = countBy(outcomes.flatMap((o) => o.retried.map((r) => String(r.status))));
  const injected = (s: { injected: Record<FaultKind, number> }) => Object.entries(s.injected).map(([k, v]) => `${k}:${v}`).join(' ');
  const dp = gw.local.dataproc!.faults.stats;
  const db = gw.local.databricks!.faults.stats;
  console.log(
    `[reliability/faults] seed=${SEED} submissions=${submissions.length} accepted=${accepted.length} backendJobs=${backendJobs.length} ` +
      `duplicates=${duplicates} lost=${lost} mismatched=${mismatched} orphans=${orphans} completedByRetry=${completedByRetry} ` +
      `resetsAfterWork=${JSON.stringify(resetsAfterWork)} clientAttempts=${attempts} clientRetries=${JSON.stringify(clientRetries)} ` +
      `dataprocCalls=${dp.calls} (${injected(dp)}) databricksCalls=${db.calls} (${injected(db)}) elapsedMs=${Date.now() - started}`,
  );

  expect({ duplicates, lost, mismatched, orphans }).toEqual({ duplicates: 0, lost: 0, mismatched: 0, orphans: 0 });
  expect(backendJobs).toHaveLength(submissions.length);
  // Nothing is left reserved-but-unconfirmed for the reconciler: the retries settled every row.
  expect(await gw.local.ledger.store.listPending(new Date(Date.now() + 3600_000).toISOString(), 10)).toEqual([]);
  // The faults really happened, of every kind, on both backends.
  for (const stats of [dp, db]) {
    expect(Object.values(stats.injected).reduce((a, b) => a + b, 0) / stats.calls).toBeGreaterThan(0.2);
    for (const kind of FAULTS.kinds) expect(stats.injected[kind]).toBeGreaterThan(0);
  }
  expect(resetsAfterWork.dataproc).toBeGreaterThan(0);
  expect(resetsAfterWork.databricks).toBeGreaterThan(0);
  expect(completedByRetry).toBeGreaterThan(0);
}, 120_000);

function countBy(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
