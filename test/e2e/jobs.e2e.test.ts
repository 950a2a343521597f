// The whole request path in local mode: real tokens from the local identity provider, the local gateway, the handlers,
// the ledger on dynalite and the Dataproc/Databricks emulators, reached through the real backend clients.
import { readFileSync } from 'node:fs';
import { parseTemplate } from '../../lambda/core/template-loader.js';
import { loadTemplateDir } from '../../lambda/adapters/template-files.js';
import { startTestGateway, TERMINAL, type TestGateway } from './local-mode.js';
import { JOB_STATUSES } from '../../contract/job-status.js';

// Test-only templates with a free-form argument, to drive the emulators' documented failure marker.
const probes = [
  parseTemplate(
    `id: probe-dataproc
description: probe
backend: dataproc
allowedGroups: [analysts]
parameters: {type: object, additionalProperties: false, required: [argument], properties: {argument: {type: string, maxLength: 64}}}
dataproc: {job: {placement: {clusterName: etl-cluster}, pysparkJob: {mainPythonFileUri: gs://b/p.py, args: ["{{argument}}"]}}}
`,
    'probe-dataproc.yaml',
  ),
  parseTemplate(
    `id: probe-databricks
description: probe
backend: databricks
allowedGroups: [analysts]
parameters: {type: object, additionalProperties: false, required: [argument], properties: {argument: {type: string, maxLength: 64}}}
databricks: {submit: {run_name: probe, tasks: [{task_key: t, notebook_task: {notebook_path: /p, base_parameters: {a: "{{argument}}"}}}]}}
`,
    'probe-databricks.yaml',
  ),
];

let gw: TestGateway;
let alice: string;
let bob: string;
let auditor: string;
let scientist: string;

const today = '2026-11-21';

beforeAll(async () => {
  gw = await startTestGateway({ templates: [...loadTemplateDir('templates'), ...probes] });
  alice = await gw.token('alice', ['analysts']);
  bob = await gw.token('bob', ['analysts']);
  auditor = await gw.token('carol', ['auditors']);
  scientist = await gw.token('dana', ['data-science', 'account-managers']);
});
afterAll(() => gw?.stop());

const submit = (token: string, template: string, parameters: unknown, headers: Record<string, string> = {}) =>
  gw.call('POST', '/jobs', { token, body: { template, parameters }, headers });

describe('submitting and following jobs', () => {
  it('runs a Dataproc cluster job to success and links to the console', async () => {
    const res = await submit(alice, 'daily-sales-etl', { date: today });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ template: 'daily-sales-etl', backend: 'dataproc', status: 'QUEUED', parameters: { date: today, shards: 8 } });
    expect(res.body.principal).toEqual({ issuer: gw.local.idp!.issuer, subject: 'alice', kind: 'user' });
    expect(res.headers.get('location')).toBe(res.body.links.self);
    const done = await gw.waitFor(res.body.id, alice, (j) => TERMINAL.includes(j.status));
    expect(done.status).toBe('SUCCEEDED');
    expect(done.backendStatus).toBe('DONE');
    expect(done.links.console).toContain('console.cloud.google.com');
    const emulated = gw.local.dataproc!.jobs().find((j) => j.job.reference?.jobId === res.body.id);
    expect(emulated?.job.pysparkJob?.args).toEqual(['--date', today, '--shards', '8']);
  });

  it('runs a Dataproc Serverless batch as the template’s own service account', async () => {
    const res = await submit(scientist, 'churn-features-serverless', { from: '2026-01-01', to: '2026-01-31' });
    expect(res.status).toBe(202);
    const done = await gw.waitFor(res.body.id, scientist, (j) => TERMINAL.includes(j.status));
    expect(done.status).toBe('SUCCEEDED');
    const batch = gw.local.dataproc!.batches().find((b) => b.batch.name?.endsWith(`/${res.body.id}`));
    expect(batch?.principal).toBe('churn-features@acme-data.iam.gserviceaccount.com');
  });

  it('runs an existing Databricks job with run-now', async () => {
    const res = await submit(scientist, 'refresh-ml-features', { featureGroup: 'orders' });
    expect(res.status).toBe(202);
    expect(res.body.backend).toBe('databricks');
    const done = await gw.waitFor(res.body.id, scientist, (j) => TERMINAL.includes(j.status));
    expect(done.status).toBe('SUCCEEDED');
    expect(done.backendStatus).toMatch(/TERMINATED/);
  });

  it('runs a one-off Databricks notebook and shows its personal parameter only as a keyed fingerprint', async () => {
    const res = await submit(scientist, 'customer-report-notebook', { customerId: 'C1234567', recipientEmail: 'dana@acme.com' });
    expect(res.status).toBe(202);
    const fingerprint = expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(res.body.parameters).toEqual({ customerId: 'C1234567', recipientEmail: fingerprint, months: 12 });
    const done = await gw.waitFor(res.body.id, scientist, (j) => TERMINAL.includes(j.status));
    expect(done.status).toBe('SUCCEEDED');
    const submitted = gw.audit.find((e) => e.event === 'job.submitted' && e.jobId === res.body.id)!;
    expect(submitted.parameters).toEqual({ customerId: 'C1234567', recipientEmail: res.body.parameters.recipientEmail, months: 12 });
    expect(readFileSync(gw.local.auditLogFile, 'utf8')).not.toContain('dana@acme.com');
    // the notebook itself gets the real address
    expect(JSON.stringify(gw.local.databricks!.runs().find((r) => r.idempotencyToken === res.body.id))).toContain('dana@acme.com');
  });

  it('refuses a report recipient outside the template\'s domains (422), without echoing the address', async () => {
    const res = await submit(scientist, 'customer-report-notebook', { customerId: 'C1234567', recipientEmail: 'exfil@gmail.com' });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/parameters/recipientEmail']);
    expect(JSON.stringify(res.body)).not.toContain('exfil@gmail.com');
  });

  it.each([
    ['dataproc', /^ERROR$/],
    ['databricks', /^TERMINATED\/RUN_EXECUTION_ERROR$/],
  ])('reports a %s job that fails on the backend as FAILED, with the backend’s words', async (backend, words) => {
    const res = await submit(alice, `probe-${backend}`, { argument: 'EMULATOR_FAIL' });
    expect(res.status).toBe(202);
    const done = await gw.waitFor(res.body.id, alice, (j) => TERMINAL.includes(j.status));
    expect(done.status).toBe('FAILED');
    expect(done.backendStatus).toMatch(words);
  });
});

describe('cancelling', () => {
  // Slow emulated clocks here, so a job is surely still running when the cancel arrives, however loaded the machine.
  let slow: TestGateway;
  beforeAll(async () => {
    slow = await startTestGateway({
      adjust: (c) => {
        c.local.dataproc.stepMs = 4000;
        c.local.databricks.stepMs = 4000;
      },
    });
  });
  afterAll(() => slow?.stop());

  it.each([
    ['dataproc', 'daily-sales-etl', ['analysts'], { date: today }],
    ['databricks', 'refresh-ml-features', ['data-science'], { featureGroup: 'returns' }],
  ])('cancels a running %s job', async (_, template, groups, parameters) => {
    const token = await slow.token('canceller', groups);
    const res = await slow.call('POST', '/jobs', { token, body: { template, parameters } });
    expect(res.status).toBe(202);
    const cancel = await slow.call('POST', `/jobs/${res.body.id}/cancel`, { token });
    expect(cancel.status).toBe(202);
    expect(['CANCELLING', 'CANCELLED']).toContain(cancel.body.status);
    const done = await slow.waitFor(res.body.id, token, (j) => TERMINAL.includes(j.status), 30000);
    expect(done.status).toBe('CANCELLED');
    expect(slow.audit.some((e) => e.event === 'job.cancelled' && e.jobId === res.body.id)).toBe(true);
    const again = await slow.call('POST', `/jobs/${res.body.id}/cancel`, { token });
    expect(again.status).toBe(409);
  });
});

describe('listing', () => {
  it('lists the caller’s jobs newest first, page by page', async () => {
    const erin = await gw.token('erin', ['analysts']);
    const ids: string[] = [];
    for (const d of ['2026-01-01', '2026-01-02', '2026-01-03']) ids.push((await submit(erin, 'daily-sales-etl', { date: d })).body.id);
    const first = await gw.call('GET', '/jobs?limit=2', { token: erin });
    expect(first.status).toBe(200);
    expect(first.body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[2], ids[1]]);
    const second = await gw.call('GET', `/jobs?limit=2&cursor=${first.body.nextCursor}`, { token: erin });
    expect(second.body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it('filters by template, status and since, within the caller’s own jobs, page by page', async () => {
    // GIVEN frank's jobs of two templates, one of them cancelled
    const frank = await gw.token('frank', ['analysts']);
    const etl = [];
    for (const d of ['2026-02-01', '2026-02-02', '2026-02-03']) etl.push((await submit(frank, 'daily-sales-etl', { date: d })).body);
    const probe = (await submit(frank, 'probe-dataproc', { argument: 'x' })).body;
    await gw.call('POST', `/jobs/${etl[0].id}/cancel`, { token: frank });
    await gw.waitFor(etl[0].id, frank, (j) => j.status === 'CANCELLED');
    const ids = (res: { body: { jobs: { id: string }[] } }) => res.body.jobs.map((j) => j.id);

    // THEN each filter narrows the listing, and a filtered listing pages like any other
    expect(ids(await gw.call('GET', '/jobs?template=probe-dataproc', { token: frank }))).toEqual([probe.id]);
    expect(ids(await gw.call('GET', '/jobs?status=CANCELLED', { token: frank }))).toEqual([etl[0].id]);
    const page1 = await gw.call('GET', '/jobs?template=daily-sales-etl&limit=2', { token: frank });
    expect(ids(page1)).toEqual([etl[2].id, etl[1].id]);
    const page2 = await gw.call('GET', `/jobs?template=daily-sales-etl&limit=2&cursor=${page1.body.nextCursor}`, { token: frank });
    expect(ids(page2)).toEqual([etl[0].id]);
    expect(ids(await gw.call('GET', `/jobs?since=${encodeURIComponent(etl[2].createdAt)}`, { token: frank }))).toEqual([probe.id, etl[2].id]);
    expect(ids(await gw.call('GET', '/jobs?since=2999-01-01T00:00:00Z', { token: frank }))).toEqual([]);
    // and nobody else's jobs of the template show up
    expect((await gw.call('GET', '/jobs?template=daily-sales-etl&limit=100', { token: frank })).body.jobs.every((j: { principal: { subject: string } }) => j.principal.subject === 'frank')).toBe(true);
  });

  it.each([
    ['/jobs?stauts=RUNNING', 'query:stauts', /is not a query parameter of this route; it takes limit, cursor, principal, status, template, since/],
    ['/jobs?status=DONE', 'query:status', new RegExp(`^must be one of ${JOB_STATUSES.join(', ')}$`)],
    ['/jobs?since=yesterday', 'query:since', /RFC 3339/],
    ['/jobs?since=2026-12-01T00:00:00', 'query:since', /with its offset/],
    ['/me?verbose=true', 'query:verbose', /it takes none/],
  ])('400 for %s, pointing at the parameter', async (path, pointer, detail) => {
    const res = await gw.call('GET', path, { token: alice });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ pointer, detail: expect.stringMatching(detail) }]);
  });

  it('lets auditors list another principal’s jobs, and nobody else', async () => {
    const key = `${gw.local.idp!.issuer}#alice`;
    const asAuditor = await gw.call('GET', `/jobs?principal=${encodeURIComponent(key)}`, { token: auditor });
    expect(asAuditor.status).toBe(200);
    expect(asAuditor.body.jobs.length).toBeGreaterThan(0);
    expect(asAuditor.body.jobs.every((j: { principal: { subject: string } }) => j.principal.subject === 'alice')).toBe(true);
    const asBob = await gw.call('GET', `/jobs?principal=${encodeURIComponent(key)}`, { token: bob });
    expect(asBob.status).toBe(403);
  });

  it('answers 404 for another caller’s job, exactly as for a job that does not exist', async () => {
    const mine = await submit(alice, 'daily-sales-etl', { date: today });
    const theirs = await gw.call('GET', `/jobs/${mine.body.id}`, { token: bob });
    const missing = await gw.call('GET', '/jobs/job-aaaaaaaaaaaaaaaaaaaaaaaaaa', { token: bob });
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(theirs.body.title).toBe(missing.body.title);
    expect((await gw.call('POST', `/jobs/${mine.body.id}/cancel`, { token: bob })).status).toBe(404);
    expect((await gw.call('GET', `/jobs/${mine.body.id}`, { token: auditor })).status).toBe(200);
  });

  it('answers 404 to an auditor who may read a job but not cancel it, and audits the refusal', async () => {
    const owner = await gw.token('frank', ['analysts']);
    const mine = await submit(owner, 'daily-sales-etl', { date: today });
    const res = await gw.call('POST', `/jobs/${mine.body.id}/cancel`, { token: auditor });
    expect(res.status).toBe(404);
    expect(res.body.title).toBe('Unknown job');
    expect(gw.audit.filter((e) => e.jobId === mine.body.id && e.event === 'job.cancel_denied')).toEqual([
      expect.objectContaining({ outcome: 'denied', reason: 'not_owner', principal: expect.objectContaining({ subject: 'carol' }) }),
    ]);
    expect(gw.audit.some((e) => e.jobId === mine.body.id && e.event === 'job.cancelled')).toBe(false);
    expect((await gw.call('GET', `/jobs/${mine.body.id}`, { token: owner })).body.status).not.toMatch(/^CANCEL/);
  });
});

describe('dry runs', () => {
  it('returns the exact backend request without submitting anything', async () => {
    const before = gw.local.dataproc!.jobs().length;
    const res = await gw.call('POST', '/jobs?dryRun=true', { token: alice, body: { template: 'daily-sales-etl', parameters: { date: today, shards: 4 } } });
    expect(res.status).toBe(200);
    expect(res.body.dryRun).toBe(true);
    expect(res.body.request.method).toBe('POST');
    expect(res.body.request.url).toBe(`${gw.local.dataproc!.url}/v1/projects/acme-data/regions/europe-west1/jobs:submit`);
    expect(res.body.request.body.job.pysparkJob.args).toEqual(['--date', today, '--shards', '4']);
    expect(res.body.request.body.requestId).toBeDefined();
    expect(JSON.stringify(res.body)).not.toMatch(/Bearer|access_token|dapi/);
    expect(gw.local.dataproc!.jobs().length).toBe(before);
    expect((await gw.call('GET', `/jobs/${res.body.jobId}`, { token: alice })).status).toBe(404);
  });
});

describe('idempotency', () => {
  it('maps a retried request with the same key to the same job', async () => {
    const key = { 'Idempotency-Key': 'nightly-2026-11-21' };
    const first = await submit(alice, 'daily-sales-etl', { date: today }, key);
    const second = await submit(alice, 'daily-sales-etl', { date: today }, key);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(gw.local.dataproc!.jobs().filter((j) => j.job.reference?.jobId === first.body.id)).toHaveLength(1);
  });

  it('answers 409 for the same key with another body', async () => {
    const key = { 'Idempotency-Key': 'reused-key' };
    expect((await submit(alice, 'daily-sales-etl', { date: today }, key)).status).toBe(202);
    const conflict = await submit(alice, 'daily-sales-etl', { date: '2026-01-01' }, key);
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get('content-type')).toBe('application/problem+json');
  });

  it('keeps keys apart per principal', async () => {
    const key = { 'Idempotency-Key': 'shared-name' };
    // Fresh callers: the template's maxActivePerPrincipal must not be what answers.
    const a = await submit(await gw.token('key-owner-a', ['analysts']), 'daily-sales-etl', { date: today }, key);
    const b = await submit(await gw.token('key-owner-b', ['analysts']), 'daily-sales-etl', { date: today }, key);
    // Both are new jobs: a 409 for bob would mean alice's key leaked into his namespace.
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(a.body.id).not.toBe(b.body.id);
  });

  it.each([
    ['dataproc', 'daily-sales-etl', { date: '2026-02-02' }],
    ['databricks', 'customer-report-notebook', { customerId: 'C7654321', recipientEmail: 'x@acme.com' }],
  ])('starts exactly one %s job for ten concurrent requests with one key', async (backend, template, parameters) => {
    // A fresh caller each: the templates' maxActivePerPrincipal must not be what limits this test.
    const token = await gw.token(`concurrent-${backend}`, ['analysts', 'account-managers']);
    const key = { 'Idempotency-Key': `concurrent-${backend}` };
    const answers = await Promise.all(Array.from({ length: 10 }, () => submit(token, template, parameters, key)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    if (backend === 'dataproc') {
      expect(gw.local.dataproc!.jobs().filter((j) => j.job.reference?.jobId === id)).toHaveLength(1);
    } else {
      expect(gw.local.databricks!.runs().filter((r) => r.idempotencyToken === id)).toHaveLength(1);
    }
  });
});

describe('errors are problem+json', () => {
  const expectProblem = (res: { status: number; headers: Headers; body: any }, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//), title: expect.any(String), requestId: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.ts:\d+|Bearer ey/);
  };

  it('401 without a token says so, and its challenge carries no error code (RFC 6750 section 3.1)', async () => {
    const res = await gw.call('GET', '/jobs');
    expectProblem(res, 401);
    expect(res.body.detail).toBe('No bearer token: send Authorization: Bearer <token>.');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
  it.each([
    ['a wrong scheme', () => `Basic ${Buffer.from('alice:pw').toString('base64')}`, 'wrong_scheme', 'Bearer'],
    ['garbage', () => 'Bearer not-a-jwt', 'malformed', 'Bearer error="invalid_token", error_description="the token is not a well-formed signed JWT"'],
    ['a forged signature', () => `Bearer ${alice.slice(0, -4)}AAAA`, 'bad_signature', 'Bearer error="invalid_token", error_description="the token signature does not verify"'],
  ])('401 for %s names the reason in detail, reason and WWW-Authenticate', async (_name, authorization, reason, challenge) => {
    const res = await gw.call('GET', '/jobs', { headers: { Authorization: authorization() } });
    expectProblem(res, 401);
    expect(res.body).toMatchObject({ type: 'https://data-job-gateway.dev/problems/unauthenticated', reason });
    expect(res.headers.get('www-authenticate')).toBe(challenge);
  });
  it('every refused token is audited with its reason, API Gateway cache hits included, and never the token', async () => {
    // GIVEN a token with a forged signature sent twice: the second is answered from the authorizer cache
    const bad = `${alice.split('.').slice(0, 2).join('.')}.c2lnbmF0dXJl`;
    const before = gw.audit.length;
    const first = await gw.call('GET', '/templates', { token: bad });
    const second = await gw.call('GET', '/jobs', { token: bad });
    // THEN both are 401 with the reason, and both requests have their own auth.denied line
    expect([first.status, second.status]).toEqual([401, 401]);
    const denials = gw.audit.slice(before).filter((e) => e.event === 'auth.denied');
    expect(denials.map((e) => [e.reason, e.requestId])).toEqual([
      ['bad_signature', first.body.requestId],
      ['bad_signature', second.body.requestId],
    ]);
    expect(JSON.stringify(denials).includes(bad.split('.')[1]!)).toBe(false);
  });
  it('404 for a template the caller’s groups may not run, exactly as for one that does not exist; the audit keeps why', async () => {
    const res = await submit(alice, 'refresh-ml-features', { featureGroup: 'orders' });
    const missing = await submit(alice, 'no-such-template', { featureGroup: 'orders' });
    expectProblem(res, 404);
    expectProblem(missing, 404);
    const { requestId: _a, detail: _d1, ...shown } = res.body;
    const { requestId: _b, detail: _d2, ...shownMissing } = missing.body;
    expect(shown).toEqual(shownMissing);
    expect(res.body.detail).toBe('no template named "refresh-ml-features"');
    const reasons = gw.audit.filter((e) => e.event === 'job.denied' && (e.principal as { subject: string }).subject === 'alice').map((e) => [e.template, e.reason]);
    expect(reasons).toEqual(expect.arrayContaining([['refresh-ml-features', 'group_not_allowed'], ['no-such-template', 'unknown_template']]));
  });
  it.each([
    ['DELETE', '/jobs', 'POST, GET'],
    ['PUT', '/jobs/j-1/cancel', 'POST'],
    ['PATCH', '/templates/daily-sales-etl', 'GET'],
    ['POST', '/openapi.json', 'GET'],
  ])('405 with Allow for %s %s, a known path with another method, token or not', async (method, path, allow) => {
    for (const token of [undefined, alice]) {
      const res = await gw.call(method, path, { token });
      expectProblem(res, 405);
      expect(res.body.type).toBe('https://data-job-gateway.dev/problems/method-not-allowed');
      expect(res.headers.get('allow')).toBe(allow);
    }
  });
  it('404 for a path no route has, whatever the method', async () => {
    expectProblem(await gw.call('DELETE', '/nowhere', { token: alice }), 404);
  });
  it.each([
    ['no body', undefined, ''],
    ['a body that is not JSON', '{"template":', ''],
    ['an array', '[]', ''],
    ['an unknown member', JSON.stringify({ template: 'daily-sales-etl', parameters: {}, colour: 'red' }), '/colour'],
    ['a missing member', JSON.stringify({ parameters: {} }), '/template'],
  ])('400 for %s has errors[] with a JSON Pointer into the body', async (_name, rawBody, pointer) => {
    const res = await gw.call('POST', '/jobs', { token: alice, rawBody, headers: { 'Content-Type': 'application/json' } });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ pointer, detail: expect.any(String) }]);
  });
  it('names an unknown body member and the members the body has', async () => {
    const res = await gw.call('POST', '/jobs', { token: alice, body: { template: 'daily-sales-etl', parameters: {}, colour: 'red' } });
    expect(res.body.errors).toEqual([{ pointer: '/colour', detail: 'is not a member of SubmitJobRequest; it has template, parameters' }]);
    expect(res.body.detail).toContain('/colour is not a member of SubmitJobRequest');
  });
  it('400 for a malformed header points at it as header:<Name>', async () => {
    const res = await gw.call('POST', '/jobs', { token: alice, body: { template: 'daily-sales-etl', parameters: { date: today } }, headers: { 'Idempotency-Key': 'has space' } });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ pointer: 'header:Idempotency-Key', detail: expect.any(String) }]);
  });
  it('422 with one entry per bad field', async () => {
    const res = await submit(alice, 'daily-sales-etl', { date: 'yesterday', shards: 500, colour: 'red' });
    expectProblem(res, 422);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/parameters/colour', '/parameters/date', '/parameters/shards']);
  });
  it('413 for a body over the configured limit', async () => {
    const res = await gw.call('POST', '/jobs', { token: alice, rawBody: JSON.stringify({ template: 'daily-sales-etl', parameters: { date: 'x'.repeat(70000) } }), headers: { 'Content-Type': 'application/json' } });
    expectProblem(res, 413);
  });
  it('400 for a body that is not JSON', async () => {
    expectProblem(await gw.call('POST', '/jobs', { token: alice, rawBody: '{"template":', headers: { 'Content-Type': 'application/json' } }), 400);
  });
  it('404 for an unknown route', async () => {
    expectProblem(await gw.call('GET', '/nope', { token: alice }), 404);
  });
});

describe('catalog', () => {
  it('lists only the templates the caller may run, with their parameter schemas', async () => {
    const res = await gw.call('GET', '/templates', { token: alice });
    expect(res.status).toBe(200);
    expect(res.body.templates.map((t: { id: string }) => t.id).sort()).toEqual(['customer-report-notebook', 'daily-sales-etl', 'probe-databricks', 'probe-dataproc']);
    expect(res.body.templates.find((t: { id: string }) => t.id === 'daily-sales-etl').parameters.required).toEqual(['date']);
    expect((await gw.call('GET', '/templates/refresh-ml-features', { token: alice })).status).toBe(404);
    expect((await gw.call('GET', '/templates/daily-sales-etl', { token: alice })).status).toBe(200);
  });
  it('serves an OpenAPI 3.1 document without a token', async () => {
    const res = await gw.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/jobs', '/jobs/{id}', '/jobs/{id}/cancel', '/templates']));
  });
});

describe('audit trail', () => {
  it('writes one JSON line per decision with who, what and the outcome', async () => {
    const res = await submit(alice, 'daily-sales-etl', { date: '2026-03-03' });
    const line = gw.audit.find((e) => e.event === 'job.submitted' && e.jobId === res.body.id)!;
    expect(line).toMatchObject({
      audit: true,
      outcome: 'success',
      template: 'daily-sales-etl',
      backend: 'dataproc',
      backendJobId: expect.any(String),
      datasets: ['gs://acme-raw/sales', 'bq://acme.mart.sales_daily'],
      parameters: { date: '2026-03-03', shards: 8 },
      requestId: expect.any(String),
      sourceIp: expect.any(String),
      principal: { issuer: gw.local.idp!.issuer, subject: 'alice', kind: 'user', groups: ['analysts'] },
    });
    const fileLines = readFileSync(gw.local.auditLogFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(fileLines.some((l) => l.jobId === res.body.id && l.event === 'job.submitted')).toBe(true);
  });
});
