// Just-in-time approval through local mode: the API's answers, the ledger, the audit trail, the events file and the
// emulated backend, for every rule of docs/approvals.md.
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { startTestGateway, type TestGateway } from '../e2e/local-mode.js';
import { parseTemplate } from '../../lambda/core/template-loader.js';
import { AuditTrail } from '../../lambda/core/audit.js';
import { TemplateCatalog } from '../../lambda/core/catalog.js';
import { JobsService } from '../../lambda/core/jobs.js';
import type { JobBackend } from '../../lambda/core/backend.js';
import type { Ledger } from '../../lambda/core/ledger.js';
import { composeApprovalSweep } from '../../lambda/compose/reconciler.js';
import { runtimeSettings } from '../../lib/runtime-settings.js';
import type { Template } from '../../contract/template.js';
import { AUDIT_QUERIES } from '../../contract/audit-queries.js';
import { checkAuditLine } from '../../contract/audit-line.js';
import { evaluateLocalQuery, readLocalAuditLog } from '../../cli/local-audit-log.js';

const approvalTemplate = (id: string, required: number, extra = ''): Template =>
  parseTemplate(
    `id: ${id}
description: a backfill that needs approval
backend: dataproc
allowedGroups: [analysts]
allowAgents: true
sensitiveParameters: [token]
approval: {approvers: [leads], required: ${required}, expiresAfterMinutes: 60}
parameters: {type: object, additionalProperties: false, required: [n], properties: {n: {type: integer, minimum: 0}, token: {type: string, default: "s3cr3t-value"}}}
dataproc: {job: {placement: {clusterName: etl-cluster}, pysparkJob: {mainPythonFileUri: gs://b/p.py, args: ["--n", "{{n}}", "--token", "{{token}}"]}}}
${extra}`,
    `${id}.yaml`,
  );

const ONE = approvalTemplate('needs-one', 1);
const TWO = approvalTemplate('needs-two', 2);
const LIMITED = approvalTemplate('needs-one-limited', 1, 'limits: {maxActivePerPrincipal: 1}');
const REQ = { requestId: 'approvals-test', baseUrl: 'http://localhost' };

let gw: TestGateway;
let tokens: Record<string, string>;

beforeAll(async () => {
  gw = await startTestGateway({ templates: [ONE, TWO, LIMITED] });
  const user = (sub: string, groups: string[]) => gw.token(sub, groups, { scopes: ['jobs:read', 'jobs:submit', 'jobs:cancel', 'jobs:approve'] });
  tokens = {
    submitter: await user('sam', ['analysts', 'leads']),
    lead1: await user('lea', ['leads']),
    lead2: await user('leo', ['leads']),
    lead3: await user('lou', ['leads']),
    stranger: await user('stan', ['analysts']),
    auditor: await user('aud', ['auditors']),
  };
});
afterAll(() => gw?.stop());

const backendJobs = (jobId: string) => gw.local.dataproc!.jobs().filter((j) => j.job.reference?.jobId === jobId);
const submit = (template: string, n: number, token = tokens.submitter!, headers: Record<string, string> = {}) => gw.call('POST', '/jobs', { token, body: { template, parameters: { n } }, headers });
const decide = (id: string, decision: 'approve' | 'reject', token: string, comment?: string) => gw.call('POST', `/jobs/${id}/${decision}`, { token, body: comment === undefined ? {} : { comment } });
const events = () => readFileSync(gw.local.eventsLogFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const row = (id: string) => gw.local.ledger.store.get(id);

describe('a request', () => {
  it('waits in AWAITING_APPROVAL with its approval, reaches no backend, and is announced', async () => {
    const res = await submit('needs-one', 1);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'AWAITING_APPROVAL', approval: { approvers: ['leads'], required: 1, decisions: [] } });
    expect(Date.parse(res.body.approval.expiresAt) - Date.parse(res.body.createdAt)).toBe(60 * 60_000);
    // the approver sees the rendered request, the secret masked
    expect(res.body.approval.request.job.pysparkJob.args).toEqual(['--n', '1', '--token', '***']);
    expect(JSON.stringify(await row(res.body.id))).not.toContain('s3cr3t-value');
    expect(backendJobs(res.body.id)).toHaveLength(0);
    expect(gw.audit.find((l) => l.event === 'approval.requested' && l.jobId === res.body.id)).toMatchObject({ outcome: 'success', approvers: ['leads'], required: 1 });
    expect(events().find((e) => e.detail.jobId === res.body.id)).toMatchObject({ source: 'data-job-gateway', 'detail-type': 'Approval Requested', detail: { status: 'AWAITING_APPROVAL' } });
  });

  it('works with dry runs and Idempotency-Key as before', async () => {
    const dry = await gw.call('POST', '/jobs?dryRun=true', { token: tokens.submitter, body: { template: 'needs-one', parameters: { n: 2 } } });
    expect(dry.status).toBe(200);
    expect(dry.body.dryRun).toBe(true);
    const first = await submit('needs-one', 2, tokens.submitter, { 'Idempotency-Key': 'approve-me-once' });
    const again = await submit('needs-one', 2, tokens.submitter, { 'Idempotency-Key': 'approve-me-once' });
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await submit('needs-one', 3, tokens.submitter, { 'Idempotency-Key': 'approve-me-once' })).status).toBe(409);
  });
});

describe('deciding', () => {
  it('refuses self-approval with 403 even in an approver group, and audits the attempt', async () => {
    const { body: job } = await submit('needs-one', 4);
    const res = await decide(job.id, 'approve', tokens.submitter!);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(gw.audit.find((l) => l.event === 'approval.decided' && l.jobId === job.id)).toMatchObject({ outcome: 'denied', reason: 'self_approval' });
    expect((await row(job.id))?.status).toBe('AWAITING_APPROVAL');
  });

  it('answers 404 to a non-approver who may not read the job, 403 to one who may', async () => {
    const { body: job } = await submit('needs-one', 5);
    expect((await decide(job.id, 'approve', tokens.stranger!)).status).toBe(404);
    expect((await decide(job.id, 'approve', tokens.auditor!)).status).toBe(403);
    expect((await decide('job-doesnotexistatallxxxxxxxx', 'approve', tokens.lead1!)).status).toBe(404);
  });

  it('sends the job exactly once when one approval is required', async () => {
    const { body: job } = await submit('needs-one', 6);
    const res = await decide(job.id, 'approve', tokens.lead1!, 'looks right');
    expect(res.status).toBe(200);
    expect(res.body.approval.decisions).toEqual([expect.objectContaining({ by: expect.objectContaining({ subject: 'lea' }), decision: 'approve', comment: 'looks right' })]);
    expect(backendJobs(job.id)).toHaveLength(1);
    // what runs is what was approved: the real secret reached the backend, never the mask
    expect(backendJobs(job.id)[0]!.job.pysparkJob?.args).toEqual(['--n', '6', '--token', 's3cr3t-value']);
    const done = await gw.waitFor(job.id, tokens.submitter!, (j) => j.status === 'SUCCEEDED');
    expect(done.backendStatus).toBe('DONE');
    expect((await decide(job.id, 'approve', tokens.lead2!)).status).toBe(409);
    expect(gw.audit.find((l) => l.event === 'job.submitted' && l.jobId === job.id)).toMatchObject({ principal: expect.objectContaining({ subject: 'sam' }), approvedBy: [expect.objectContaining({ subject: 'lea' })] });
  });

  it('needs two distinct people for the two-person rule; the same approver twice is 409', async () => {
    const { body: job } = await submit('needs-two', 7);
    expect((await decide(job.id, 'approve', tokens.lead1!)).body).toMatchObject({ status: 'AWAITING_APPROVAL' });
    const twice = await decide(job.id, 'approve', tokens.lead1!);
    expect(twice.status).toBe(409);
    expect(twice.body.type).toContain('approval-conflict');
    expect(backendJobs(job.id)).toHaveLength(0);
    const second = await decide(job.id, 'approve', tokens.lead2!);
    expect(second.status).toBe(200);
    expect(second.body.approval.decisions).toHaveLength(2);
    expect(backendJobs(job.id)).toHaveLength(1);
    expect(gw.audit.filter((l) => l.event === 'approval.decided' && l.jobId === job.id && l.outcome === 'success').map((l) => l.released)).toEqual([false, true]);
  });

  it('starts one backend job when many approvers decide at once', async () => {
    const { body: job } = await submit('needs-one', 8);
    const approvers = await Promise.all(Array.from({ length: 12 }, (_, i) => gw.token(`lead-${i}`, ['leads'], { scopes: ['jobs:approve', 'jobs:read'] })));
    const answers = await Promise.all(approvers.map((t) => decide(job.id, 'approve', t)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(11);
    expect(backendJobs(job.id)).toHaveLength(1);
    expect((await row(job.id))?.approval?.decisions).toHaveLength(1);
  });

  it('rejects with a comment only, ending the job REJECTED; later decisions are 409', async () => {
    const { body: job } = await submit('needs-one', 9);
    const bare = await decide(job.id, 'reject', tokens.lead1!);
    expect(bare.status).toBe(400);
    expect(bare.body.errors).toEqual([{ pointer: '/comment', detail: 'is required to reject' }]);
    expect((await decide(job.id, 'reject', tokens.lead1!, 'x'.repeat(1001))).status).toBe(400);
    const res = await decide(job.id, 'reject', tokens.lead1!, 'wrong partition');
    expect(res.body).toMatchObject({ status: 'REJECTED', message: expect.stringContaining('wrong partition') });
    expect((await decide(job.id, 'approve', tokens.lead2!)).status).toBe(409);
    expect(backendJobs(job.id)).toHaveLength(0);
    expect(events().filter((e) => e.detail.jobId === job.id).map((e) => e['detail-type'])).toEqual(['Approval Requested', 'Approval Decided']);
  });
});

describe('GET /approvals', () => {
  it('lists the waiting jobs the caller may decide, newest first, never their own or decided ones', async () => {
    const a = (await submit('needs-two', 10)).body;
    const b = (await submit('needs-two', 11)).body;
    const mine = await gw.call('GET', '/approvals?limit=100', { token: tokens.lead3 });
    const ids = mine.body.jobs.map((j: { id: string }) => j.id);
    expect(ids.indexOf(b.id)).toBeLessThan(ids.indexOf(a.id));
    expect(ids).toContain(a.id);
    await decide(a.id, 'approve', tokens.lead3!);
    const after = (await gw.call('GET', '/approvals?limit=100', { token: tokens.lead3 })).body.jobs.map((j: { id: string }) => j.id);
    expect(after).not.toContain(a.id);
    expect((await gw.call('GET', '/approvals?limit=100', { token: tokens.submitter })).body.jobs.map((j: { id: string }) => j.id)).not.toContain(b.id);
    expect((await gw.call('GET', '/approvals', { token: tokens.stranger })).body.jobs).toEqual([]);
    const page = await gw.call('GET', '/approvals?limit=1', { token: tokens.lead2 });
    expect(page.body.nextCursor).toEqual(expect.any(String));
    expect((await gw.call('GET', '/approvals?cursor=bogus', { token: tokens.lead2 })).status).toBe(400);
  });

  it('needs the jobs:approve scope', async () => {
    const noScope = await gw.token('lex', ['leads'], { scopes: ['jobs:read'] });
    expect((await gw.call('GET', '/approvals', { token: noScope })).status).toBe(403);
  });
});

describe('ending a wait', () => {
  it('lets the submitter cancel while waiting, with no backend call', async () => {
    const { body: job } = await submit('needs-one', 12);
    const res = await gw.call('POST', `/jobs/${job.id}/cancel`, { token: tokens.submitter });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('CANCELLED');
    expect(backendJobs(job.id)).toHaveLength(0);
    expect((await decide(job.id, 'approve', tokens.lead1!)).status).toBe(409);
    expect(gw.audit.find((l) => l.event === 'approval.closed' && l.jobId === job.id)).toMatchObject({ reason: 'withdrawn' });
  });

  it('expires on read and by the reconciler once past its expiry', async () => {
    const onRead = (await submit('needs-one', 13)).body;
    const bySweep = (await submit('needs-one', 14)).body;
    const later = () => new Date(Date.now() + 61 * 60_000);
    const service = serviceAt(later);
    expect((await service.get(principalOf('sam', ['analysts']), onRead.id, REQ)).status).toBe('EXPIRED');
    const report = await sweepAt(later).run();
    expect(report.expired).toContain(bySweep.id);
    expect((await row(bySweep.id))?.status).toBe('EXPIRED');
    expect((await decide(bySweep.id, 'approve', tokens.lead1!)).status).toBe(409);
  });

  it('rejects the waiting jobs of a revoked submitter', async () => {
    const admin = await gw.token('root', ['platform-admins'], { scopes: ['admin'] });
    const victim = await gw.token('vic', ['analysts'], { scopes: ['jobs:submit', 'jobs:read'] });
    const { body: job } = await submit('needs-one', 15, victim);
    const revoked = await gw.call('POST', '/admin/revocations', { token: admin, body: { issuer: gw.local.idp!.issuer, subject: 'vic', reason: 'left the company' } });
    expect(revoked.status).toBe(201);
    expect(revoked.body.cancelledJobs).toContain(job.id);
    expect((await row(job.id))?.status).toBe('REJECTED');
    expect((await decide(job.id, 'approve', tokens.lead1!)).status).toBe(409);
  });

  it("no longer counts a revoked approver's decision before the job is sent", async () => {
    const admin = await gw.token('root', ['platform-admins'], { scopes: ['admin'] });
    const gone = await gw.token('gus', ['leads'], { scopes: ['jobs:approve', 'jobs:read'] });
    const { body: job } = await submit('needs-two', 16);
    expect((await decide(job.id, 'approve', gone)).status).toBe(200);
    await gw.call('POST', '/admin/revocations', { token: admin, body: { issuer: gw.local.idp!.issuer, subject: 'gus', reason: 'compromised' } });
    expect((await decide(job.id, 'approve', tokens.lead1!)).body.status).toBe('AWAITING_APPROVAL');
    expect(backendJobs(job.id)).toHaveLength(0);
    expect((await decide(job.id, 'approve', tokens.lead2!)).body.status).not.toBe('AWAITING_APPROVAL');
    expect(backendJobs(job.id)).toHaveLength(1);
  });
});

describe('agents', () => {
  it('may submit and wait like people, but never approve, even in an approver group', async () => {
    // local agent tokens carry no groups: the service is called as the gateway would call it for one that does
    const service = serviceAt(() => new Date());
    const agent = { ...principalOf('etl-bot', ['analysts', 'leads']), kind: 'agent' as const };
    const result = await service.submit({ principal: agent, template: 'needs-one', parameters: { n: 17 } }, REQ);
    expect(result.kind === 'submitted' && result.job).toMatchObject({ status: 'AWAITING_APPROVAL', principal: { kind: 'agent' } });
    const { body: other } = await submit('needs-one', 18);
    await expect(service.decide(agent, other.id, 'approve', undefined, REQ)).rejects.toMatchObject({ status: 404 });
    expect(gw.audit.find((l) => l.event === 'approval.decided' && l.jobId === other.id)).toMatchObject({ outcome: 'denied', reason: 'agent_cannot_approve' });
    // and through the API: an agent token with jobs:approve
    const token = await gw.agentToken({ scopes: ['jobs:read', 'jobs:approve'] });
    expect((await decide(other.id, 'approve', token)).status).toBe(404);
    expect((await gw.call('GET', '/approvals', { token })).body.jobs).toEqual([]);
    // a person approves the agent's request, and it runs
    const jobId = result.kind === 'submitted' ? result.job.id : '';
    expect((await decide(jobId, 'approve', tokens.lead1!)).status).toBe(200);
    expect(backendJobs(jobId)).toHaveLength(1);
  });
});

describe('crashes between the decision and the backend', () => {
  it.each(['after-decision', 'after-backend-call'] as const)('a decision that dies %s is sent by the reconciler, exactly once', async (point) => {
    const { body: job } = await submit('needs-one', point === 'after-decision' ? 19 : 20);
    const crashing = crashingAt(point);
    await crashing.decide(principalOf('lea', ['leads']), job.id, 'approve', undefined, REQ).catch(() => undefined);
    const stuck = await row(job.id);
    expect(stuck).toMatchObject({ status: 'QUEUED', backendStatus: 'APPROVED', pending: 'APPROVED' });
    expect(backendJobs(job.id)).toHaveLength(point === 'after-decision' ? 0 : 1);
    // a retry of the decision is a second decision by the same approver: refused, nothing sent twice
    expect((await decide(job.id, 'approve', tokens.lead1!)).status).toBe(409);
    const report = await sweepAt(() => new Date(Date.now() + 20 * 60_000)).run();
    expect(report.sent).toContain(job.id);
    expect(backendJobs(job.id)).toHaveLength(1);
    expect((await row(job.id))?.backendRef?.id).toBe(job.id);
    // and a second pass finds nothing left to send
    expect((await sweepAt(() => new Date(Date.now() + 40 * 60_000)).run()).sent).not.toContain(job.id);
  });
});

describe('binding to the rendered request', () => {
  it('never sends a request other than the one approved: a template changed since ends the job FAILED, nothing sent', async () => {
    const { body: job } = await submit('needs-one', 24);
    // the next deployment renders the same template to another cluster
    const moved = { ...ONE, dataproc: { job: { ...ONE.dataproc!.job!, placement: { clusterName: 'other-cluster' } } } };
    const deployed = serviceAt(() => new Date(), gw.local.ledger.store, (b) => b, [moved, TWO, LIMITED]);
    const decided = await deployed.decide(principalOf('lea', ['leads']), job.id, 'approve', undefined, REQ);
    expect(decided).toMatchObject({ status: 'FAILED', backendStatus: 'NOT_AS_APPROVED' });
    expect(backendJobs(job.id)).toHaveLength(0);
  });
});

describe('slots', () => {
  it('a waiting job holds its slot, and gives it back when it ends', async () => {
    const first = (await submit('needs-one-limited', 21)).body;
    expect((await submit('needs-one-limited', 22)).status).toBe(429);
    await decide(first.id, 'reject', tokens.lead1!, 'no');
    expect((await submit('needs-one-limited', 23)).status).toBe(202);
  });
});

describe('the audit trail', () => {
  it('answers the saved approval queries, and every line it wrote fits the audit line schema', async () => {
    const log = await readLocalAuditLog(gw.local.auditLogFile);
    const range = { start: new Date(Date.now() - 3_600_000), end: new Date(Date.now() + 3_600_000) };
    const self = evaluateLocalQuery(AUDIT_QUERIES['self-approvals'], {}, log, range);
    expect(self.length).toBeGreaterThanOrEqual(1);
    expect(self.every((r) => r['principal.subject'] === 'sam')).toBe(true);
    const under = evaluateLocalQuery(AUDIT_QUERIES['under-approved'], {}, log, range);
    expect(under.length).toBeGreaterThanOrEqual(1);
    expect(under.every((r) => Number(r.approvals) < 2)).toBe(true);
    const byLea = evaluateLocalQuery(AUDIT_QUERIES['approvals-by'], { subject: 'lea' }, log, range);
    expect(byLea.map((r) => r.decision)).toEqual(expect.arrayContaining(['approve', 'reject']));
    const invalid = gw.audit.map((l) => ({ event: l.event, check: checkAuditLine(l) })).filter((c) => !c.check.valid);
    expect(invalid).toEqual([]);
  });
});

function principalOf(subject: string, groups: string[]) {
  return { issuer: gw.local.idp!.issuer, subject, groups, kind: 'user' as const, scopes: [] };
}

/** The jobs service as the gateway composes it, with the clock moved on. */
function serviceAt(now: () => Date, ledger: Ledger = gw.local.ledger.store, wrap: (b: JobBackend) => JobBackend = (b) => b, templates: readonly Template[] = [ONE, TWO, LIMITED]): JobsService {
  return new JobsService({
    catalog: new TemplateCatalog(templates),
    backends: { dataproc: async () => wrap(await gw.local.service.backendFor({ backend: 'dataproc' })) },
    ledger,
    slots: gw.local.ledger.store,
    audit: new AuditTrail(new Logger({ logLevel: 'SILENT' }), [(line) => gw.audit.push(line)]),
    access: gw.local.config.access,
    keyedHash: gw.local.keyedHash,
    now,
  });
}

function sweepAt(now: () => Date) {
  const settings = runtimeSettings(gw.local.config, [ONE, TWO, LIMITED], process.cwd()).reconciler;
  return composeApprovalSweep(settings, {
    rows: gw.local.ledger.store,
    backends: { dataproc: () => gw.local.service.backendFor({ backend: 'dataproc' }) },
    audit: new AuditTrail(new Logger({ logLevel: 'SILENT' })),
    log: { warn: () => {} },
    keyedHash: gw.local.keyedHash,
    events: { publish: () => Promise.resolve() },
    isRevoked: () => Promise.resolve(false),
    now,
  });
}

class Died extends Error {}

/** A jobs function that dies right after the approving write, or after the backend accepted and before the ledger records it. */
function crashingAt(point: 'after-decision' | 'after-backend-call'): JobsService {
  const real = gw.local.ledger.store;
  const ledger: Ledger = Object.create(real, {
    recordSubmission: { value: point === 'after-backend-call' ? () => Promise.reject(new Died('died before recording')) : real.recordSubmission.bind(real) },
  });
  return serviceAt(() => new Date(), ledger, (b) => ({ ...b, name: b.name, plan: (s) => b.plan(s), get: (r) => b.get(r), cancel: (r) => b.cancel(r), submit: (s) => (point === 'after-decision' ? Promise.reject(new Died('died before calling the backend')) : b.submit(s)) }));
}
