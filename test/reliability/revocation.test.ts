// Revoking an identity mid-job: its active jobs on both backends are cancelled, its still-valid token is refused
// from then on (API Gateway's authorizer cache in play), and lifting the revocation lets the same token in again.
import { startTestGateway, TERMINAL, type TestGateway } from '../e2e/local-mode.js';
import { RELIABILITY_TEMPLATES } from './support.js';

let gw: TestGateway;
let admin: string;
let auditor: string;
let bystander: string;
let mallory: string;
const counts = { requests: 0, refused: 0, jobsCancelled: 0, auditEvents: 0 };

beforeAll(async () => {
  gw = await startTestGateway({
    templates: RELIABILITY_TEMPLATES,
    // Slow jobs, so they are still running when the revocation lands.
    adjust: (c) => {
      c.local.dataproc.stepMs = 2000;
      c.local.databricks.stepMs = 2000;
    },
  });
  admin = await gw.token('root', ['platform-admins']);
  auditor = await gw.token('carol', ['auditors']);
  bystander = await gw.token('bob', ['analysts']);
  mallory = await gw.token('mallory', ['analysts']);
});
afterAll(async () => {
  console.log(
    `[reliability/revocation] requests=${counts.requests} refusedAfterRevocation=${counts.refused} jobsCancelled=${counts.jobsCancelled} ` +
      `backends=dataproc(job,batch)+databricks(run-now,submit) authorizerCacheTtlSeconds=${gw.local.config.auth.authorizerCacheTtlSeconds} auditEvents=${counts.auditEvents}`,
  );
  await gw?.stop();
});

const call = (...args: Parameters<TestGateway['call']>) => {
  counts.requests++;
  return gw.call(...args);
};
const expectProblem = (res: { status: number; headers: Headers; body: any }, status: number) => {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
};
const audited = (event: string, match: (e: Record<string, any>) => boolean = () => true) => gw.audit.filter((e) => e.event === event && match(e as Record<string, any>));

it('cancels the revoked principal’s jobs on both backends, refuses its token, and lets it back in once lifted', async () => {
  const issuer = gw.local.idp!.issuer;

  // GIVEN mallory has four jobs running, one of each kind, and her token is in the authorizer cache
  const jobs: string[] = [];
  for (const template of RELIABILITY_TEMPLATES.map((t) => t.id)) {
    const res = await call('POST', '/jobs', { token: mallory, body: { template, parameters: { n: 1 } } });
    expect(res.status).toBe(202);
    jobs.push(res.body.id);
  }
  const bystanderJob = await call('POST', '/jobs', { token: bystander, body: { template: 'rel-dataproc-job', parameters: { n: 2 } } });
  expect((await call('GET', '/jobs', { token: mallory })).status).toBe(200);

  // WHEN someone who is not an admin tries to revoke her, or to read the list
  const byPeer = await call('POST', '/admin/revocations', { token: bystander, body: { issuer, subject: 'mallory', reason: 'peer' } });
  expectProblem(byPeer, 403);
  expectProblem(await call('GET', '/admin/revocations', { token: bystander }), 403);
  expect(audited('principal.revoked', (e) => e.outcome === 'denied' && e.principal.subject === 'bob')).toHaveLength(2);
  // THEN nothing changed for her
  expect((await call('GET', '/jobs', { token: mallory })).status).toBe(200);

  // WHEN an admin revokes her
  const revoked = await call('POST', '/admin/revocations', { token: admin, body: { issuer, subject: 'mallory', reason: 'laptop stolen' } });

  // THEN every active job of hers is cancelled, on both backends
  expect(revoked.status).toBe(201);
  expect([...revoked.body.cancelledJobs].sort()).toEqual([...jobs].sort());
  counts.jobsCancelled = revoked.body.cancelledJobs.length;
  for (const id of jobs) {
    const done = await gw.waitFor(id, admin, (j) => TERMINAL.includes(j.status), 20000);
    expect(done.status).toBe('CANCELLED');
    expect(audited('job.cancelled', (e) => e.jobId === id && e.reason === 'principal_revoked' && e.principal.subject === 'root')).toHaveLength(1);
  }
  expect(gw.local.dataproc!.jobs().find((j) => j.job.reference?.jobId === jobs[0])?.job.status?.state).toBe('CANCELLED');
  expect(gw.local.databricks!.runs().filter((r) => jobs.includes(r.idempotencyToken ?? '')).map((r) => r.cancelRequested)).toEqual([true, true]);
  // …and nobody else's
  expect((await call('GET', `/jobs/${bystanderJob.body.id}`, { token: bystander })).body.status).not.toMatch(/CANCEL/);
  expect(audited('principal.revoked', (e) => e.outcome === 'success' && e.target.subject === 'mallory')).toEqual([
    expect.objectContaining({ reason: 'laptop stolen', cancelledJobs: expect.arrayContaining(jobs), principal: expect.objectContaining({ subject: 'root' }) }),
  ]);

  // AND her still-valid token is refused on every job and admin route, although the authorizer's cached Allow is reused
  const dataprocJobsBefore = gw.local.dataproc!.jobs().length;
  const refusals = [
    await call('GET', '/jobs', { token: mallory }),
    await call('GET', `/jobs/${jobs[0]}`, { token: mallory }),
    await call('POST', '/jobs', { token: mallory, body: { template: 'rel-dataproc-job', parameters: { n: 3 } } }),
    await call('POST', `/jobs/${jobs[0]}/cancel`, { token: mallory }),
    await call('GET', '/admin/revocations', { token: mallory }),
  ];
  for (const res of refusals) expectProblem(res, 401);
  counts.refused += refusals.length;
  expect(gw.local.dataproc!.jobs()).toHaveLength(dataprocJobsBefore);
  // A token the authorizer has not seen is refused by the authorizer itself, and audited as such.
  const fresh = await gw.token('mallory', ['analysts']);
  expectProblem(await call('GET', '/jobs', { token: fresh }), 401);
  counts.refused++;
  expect(audited('auth.denied', (e) => e.reason === 'revoked' && e.principal?.subject === 'mallory').length).toBeGreaterThanOrEqual(1);
  // Once API Gateway's cache has expired, every route goes through the authorizer again and is refused there.
  gw.local.gateway.flushAuthorizerCache();
  for (const path of ['/templates', '/jobs']) expectProblem(await call('GET', path, { token: mallory }), 401);
  counts.refused += 2;

  // WHEN an admin or an auditor lists revocations
  for (const reader of [admin, auditor]) {
    const list = await call('GET', '/admin/revocations', { token: reader });
    expect(list.status).toBe(200);
    expect(list.body.revocations).toEqual([expect.objectContaining({ id: revoked.body.id, issuer, subject: 'mallory', reason: 'laptop stolen', revokedBy: expect.objectContaining({ subject: 'root' }) })]);
  }

  // WHEN a non-admin tries to lift it, then an admin does
  expectProblem(await call('DELETE', `/admin/revocations/${revoked.body.id}`, { token: bystander }), 403);
  expectProblem(await call('DELETE', `/admin/revocations/${revoked.body.id}`, { token: auditor }), 403);
  const lifted = await call('DELETE', `/admin/revocations/${revoked.body.id}`, { token: admin });
  expect(lifted.status).toBe(204);
  expect(audited('principal.unrevoked', (e) => e.outcome === 'success' && e.target.subject === 'mallory' && e.principal.subject === 'root')).toHaveLength(1);
  expect(audited('principal.unrevoked', (e) => e.outcome === 'denied')).toHaveLength(2);
  expect((await call('GET', '/admin/revocations', { token: admin })).body.revocations).toEqual([]);
  expectProblem(await call('DELETE', `/admin/revocations/${revoked.body.id}`, { token: admin }), 404);

  // THEN the same token works again, and so does submitting
  expect((await call('GET', '/jobs', { token: mallory })).status).toBe(200);
  expect((await call('POST', '/jobs', { token: mallory, body: { template: 'rel-databricks-submit', parameters: { n: 4 } } })).status).toBe(202);
  counts.auditEvents = gw.audit.filter((e) => String(e.event).startsWith('principal.') || e.reason === 'principal_revoked' || e.reason === 'revoked').length;
}, 60_000);

it('refuses an admin revoking their own identity', async () => {
  const res = await call('POST', '/admin/revocations', { token: admin, body: { issuer: gw.local.idp!.issuer, subject: 'root', reason: 'oops' } });
  expectProblem(res, 403);
  expect((await call('GET', '/jobs', { token: admin })).status).toBe(200);
});
