// GET /jobs/{id}/output and GET /me through local mode: the route, its read rights, its bounds and its audit line.
import { loadTemplateDir } from '../../lambda/adapters/template-files.js';
import { checkAuditLine } from '../../contract/audit-line.js';
import { startTestGateway, type TestGateway } from './local-mode.js';

let gw: TestGateway;
let alice: string;
let bob: string;
let auditor: string;
let scientist: string;

beforeAll(async () => {
  gw = await startTestGateway({ templates: loadTemplateDir('templates') });
  alice = await gw.token('alice', ['analysts']);
  bob = await gw.token('bob', ['analysts']);
  auditor = await gw.token('carol', ['auditors']);
  scientist = await gw.token('dana', ['data-science']);
});
afterAll(() => gw?.stop());

/** Follows the output as `djg logs --follow` does: from each nextOffset until complete. */
async function follow(id: string, token: string): Promise<{ text: string; calls: number }> {
  let text = '';
  let offset = 0;
  for (let calls = 1; calls < 500; calls++) {
    const res = await gw.call('GET', `/jobs/${id}/output?offset=${offset}`, { token });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['complete', 'nextOffset', 'text']);
    text += res.body.text;
    offset = res.body.nextOffset;
    if (res.body.complete) return { text, calls };
    if (!res.body.text) await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`output of ${id} never completed`);
}

describe('GET /jobs/{id}/output', () => {
  it('streams a Dataproc job\'s driver output until the job has ended and all of it was read', async () => {
    const job = (await gw.call('POST', '/jobs', { token: alice, body: { template: 'daily-sales-etl', parameters: { date: '2026-11-21' } } })).body;
    const { text } = await follow(job.id, alice);
    expect((await gw.call('GET', `/jobs/${job.id}`, { token: alice })).body.status).toBe('SUCCEEDED');
    expect(text).toContain('INFO DataprocDriver: arguments: --date 2026-11-21 --shards 8\n');
    expect(text.trimEnd().split('\n').pop()).toMatch(/INFO SparkContext: Successfully stopped SparkContext$/);
    // read again from the start once complete: the same text, complete at once
    const again = await gw.call('GET', `/jobs/${job.id}/output`, { token: alice });
    expect(again.body).toEqual({ text, nextOffset: Buffer.byteLength(text), complete: true });
  });

  it('reads a Serverless batch\'s output as the template\'s service account', async () => {
    const job = (await gw.call('POST', '/jobs', { token: scientist, body: { template: 'churn-features-serverless', parameters: { from: '2026-01-01', to: '2026-01-31' } } })).body;
    const { text } = await follow(job.id, scientist);
    expect(text).toContain('arguments: --from=2026-01-01 --to=2026-01-31 --segment=all');
    // every Cloud Storage read of a batch's output ran as the template's service account, never as the gateway's
    const storageReads = gw.local.dataproc!.requests().filter((r) => r.url.includes('/storage/v1/') && r.url.includes('srvls-batch'));
    expect(storageReads.length).toBeGreaterThan(0);
    expect(new Set(storageReads.map((r) => r.principal))).toEqual(new Set(['churn-features@acme-data.iam.gserviceaccount.com']));
  });

  it('gives a Databricks run\'s task output, task by task', async () => {
    const job = (await gw.call('POST', '/jobs', { token: scientist, body: { template: 'refresh-ml-features', parameters: { featureGroup: 'orders' } } })).body;
    const { text } = await follow(job.id, scientist);
    expect(text).toMatch(/^==> task compute_features \(run \d+\): TERMINATED\/SUCCESS <==\n/);
    expect(text).toContain('==> task publish');
    expect(text).toContain('notebook exit value: {"status":"ok","rows_written":1234}');
  });

  it('has the read rights of the job: the owner and auditors read it, anyone else gets the 404 of an unknown job', async () => {
    const job = (await gw.call('POST', '/jobs', { token: alice, body: { template: 'daily-sales-etl', parameters: { date: '2026-11-22' } } })).body;
    expect((await gw.call('GET', `/jobs/${job.id}/output`, { token: auditor })).status).toBe(200);
    const other = await gw.call('GET', `/jobs/${job.id}/output`, { token: bob });
    const unknown = await gw.call('GET', '/jobs/job-aaaaaaaaaaaaaaaaaaaaaaaaaa/output', { token: bob });
    expect(other.status).toBe(404);
    expect({ ...other.body, requestId: undefined }).toEqual({ ...unknown.body, requestId: undefined, detail: other.body.detail });
    expect((await gw.call('GET', `/jobs/${job.id}/output`)).status).toBe(401);
  });

  it('audits every read as job.output_read, without the output itself', async () => {
    const job = (await gw.call('POST', '/jobs', { token: alice, body: { template: 'daily-sales-etl', parameters: { date: '2026-11-23' } } })).body;
    const { text } = await follow(job.id, alice);
    const reads = gw.audit.filter((l) => l.event === 'job.output_read' && l.jobId === job.id);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((l) => l.outcome === 'success' && (l.principal as { subject: string }).subject === 'alice' && l.template === 'daily-sales-etl')).toBe(true);
    expect(reads.map((l) => checkAuditLine(l).errors)).toEqual(reads.map(() => []));
    expect(reads.reduce((sum, l) => sum + (l.bytes as number), 0)).toBe(Buffer.byteLength(text));
    const firstLine = text.split('\n')[0]!;
    expect(JSON.stringify(reads)).not.toContain(firstLine.slice(18));
  });

  it('refuses an offset that is not a whole number, naming the query parameter', async () => {
    const job = (await gw.call('POST', '/jobs', { token: alice, body: { template: 'daily-sales-etl', parameters: { date: '2026-11-24' } } })).body;
    for (const offset of ['-1', '1.5', 'abc', '9007199254740993']) {
      const res = await gw.call('GET', `/jobs/${job.id}/output?offset=${offset}`, { token: alice });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ pointer: 'query:offset', detail: 'must be a whole number from 0' }]);
    }
  });
});

describe('GET /me', () => {
  it('says who the gateway takes the caller for', async () => {
    const res = await gw.call('GET', '/me', { token: await gw.token('erin', ['analysts', 'auditors'], { scopes: ['jobs:read'] }) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ issuer: gw.local.idp!.issuer, subject: 'erin', kind: 'user', groups: ['analysts', 'auditors'], scopes: ['jobs:read'] });
    const agent = await gw.call('GET', '/me', { token: await gw.agentToken() });
    expect(agent.body).toMatchObject({ subject: 'local-agent', kind: 'agent', groups: [] });
  });
});
