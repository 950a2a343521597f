// A template's limits.maxActivePerPrincipal: enforced at submit with 429 problem+json and Retry-After; finished jobs stop counting.
import { startTestGateway, TERMINAL, type TestGateway } from '../e2e/local-mode.js';
import { LIMITED_TEMPLATE, RELIABILITY_TEMPLATES } from './support.js';

const LIMIT = LIMITED_TEMPLATE.limits.maxActivePerPrincipal!;
let gw: TestGateway;
const counts = { submissions: 0, accepted: 0, refused429: 0 };
let burst = { sent: 0, accepted: 0 };

beforeAll(async () => {
  gw = await startTestGateway({
    templates: [LIMITED_TEMPLATE, ...RELIABILITY_TEMPLATES],
    // Jobs stay active a few seconds, long enough to hit the limit, short enough to watch them finish.
    adjust: (c) => {
      c.local.dataproc.stepMs = 1000;
    },
  });
});
afterAll(async () => {
  console.log(
    `[reliability/limits] limit=${LIMIT} submissions=${counts.submissions} accepted=${counts.accepted} refused429=${counts.refused429} ` +
      `concurrentBurst=${burst.sent} acceptedFromBurst=${burst.accepted}`,
  );
  await gw?.stop();
});

async function submit(token: string, n: number, headers: Record<string, string> = {}) {
  const res = await gw.call('POST', '/jobs', { token, body: { template: LIMITED_TEMPLATE.id, parameters: { n } }, headers });
  counts.submissions++;
  if (res.status === 202) counts.accepted++;
  if (res.status === 429) counts.refused429++;
  return res;
}

/** The emulator's own view, read without going through the API (a GET would refresh the ledger row). */
const finishedOnDataproc = (id: string) => ['DONE', 'ERROR', 'CANCELLED'].includes(gw.local.dataproc!.jobs().find((j) => j.job.reference?.jobId === id)?.job.status?.state ?? '');

it('refuses the job over the limit with 429 problem+json and Retry-After, per principal and template', async () => {
  const alice = await gw.token('limited-alice', ['analysts']);
  const bob = await gw.token('limited-bob', ['analysts']);

  // GIVEN alice has `LIMIT` active jobs of the template
  const first = await submit(alice, 1, { 'Idempotency-Key': 'first' });
  for (let n = 2; n <= LIMIT; n++) expect((await submit(alice, n)).status).toBe(202);
  expect(first.status).toBe(202);

  // WHEN she submits one more
  const over = await submit(alice, 99);

  // THEN it is refused, saying when to try again, and audited
  expect(over.status).toBe(429);
  expect(over.headers.get('content-type')).toBe('application/problem+json');
  expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(over.body).toMatchObject({ status: 429, title: 'Too many requests', detail: expect.stringContaining(`${LIMIT} active jobs`) });
  expect(gw.audit.filter((e) => e.event === 'job.denied' && e.reason === 'active_limit' && (e.principal as { subject: string }).subject === 'limited-alice')).toHaveLength(1);
  // …while a retry of a job she already has is answered from the ledger, not counted again
  const replay = await submit(alice, 1, { 'Idempotency-Key': 'first' });
  expect(replay.status).toBe(202);
  expect(replay.body.id).toBe(first.body.id);
  // …another template is not limited by this one, and bob has his own allowance
  expect((await gw.call('POST', '/jobs', { token: alice, body: { template: 'rel-dataproc-job', parameters: { n: 1 } } })).status).toBe(202);
  expect((await submit(bob, 1)).status).toBe(202);
});

it('stops counting jobs once they finish, without anyone reading them first', async () => {
  const carol = await gw.token('limited-carol', ['analysts']);
  const ids: string[] = [];
  for (let n = 1; n <= LIMIT; n++) ids.push((await submit(carol, n)).body.id);
  expect((await submit(carol, 50)).status).toBe(429);

  // WHEN one is cancelled and has settled on the backend, and the others end on their own
  const cancel = await gw.call('POST', `/jobs/${ids[0]}/cancel`, { token: carol });
  expect(cancel.status).toBe(202);
  await gw.waitFor(ids[0]!, carol, (j) => TERMINAL.includes(j.status));
  // THEN there is room again
  const afterCancel = await submit(carol, 51);
  expect(afterCancel.status).toBe(202);
  ids.push(afterCancel.body.id);

  // WHEN every job has finished on Dataproc, while the ledger still says they are active
  const deadline = Date.now() + 15000;
  while (!ids.every(finishedOnDataproc) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(ids.every(finishedOnDataproc)).toBe(true);
  expect((await gw.local.ledger.store.listActive(`${gw.local.idp!.issuer}#limited-carol`, LIMITED_TEMPLATE.id)).length).toBeGreaterThanOrEqual(LIMIT);

  // THEN the limit check refreshes them and lets the next ones in
  for (let n = 60; n < 60 + LIMIT; n++) expect((await submit(carol, n)).status).toBe(202);
  expect((await submit(carol, 70)).status).toBe(429);
});

it('holds the limit exactly under a concurrent burst', async () => {
  const dave = await gw.token('limited-dave', ['analysts']);
  const answers = await Promise.all(Array.from({ length: 10 }, (_, n) => submit(dave, n)));
  burst = { sent: answers.length, accepted: answers.filter((a) => a.status === 202).length };
  // Slots are claimed with one conditional write each, so submissions arriving together cannot overshoot.
  expect(burst.accepted).toBe(LIMIT);
  expect(answers.every((a) => a.status === 202 || a.status === 429)).toBe(true);
  // What got through is a real job, recorded and on its backend; what was refused left no row behind.
  for (const a of answers.filter((x) => x.status === 202)) {
    expect((await gw.local.ledger.store.get(a.body.id))?.backendRef?.id).toBe(a.body.id);
    expect(gw.local.dataproc!.jobs().filter((j) => j.job.reference?.jobId === a.body.id)).toHaveLength(1);
  }
  for (const a of answers.filter((x) => x.status === 429)) expect(a.headers.get('retry-after')).toBeDefined();
  const rows = await gw.local.ledger.store.listByPrincipal(`${gw.local.idp!.issuer}#limited-dave`, { limit: 50 });
  expect(rows.items).toHaveLength(LIMIT);
  expect((await submit(dave, 100)).status).toBe(429);
});
