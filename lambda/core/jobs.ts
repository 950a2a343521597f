// The jobs service: authorize → validate + render → reserve → submit → record, with an audit event for every decision.
import type { JobView } from '../../contract/api-schemas.js';
import { AuditTrail, maskParameters, type AuditEvent } from './audit.js';
import { splitAccepted, type BackendRequest, type JobBackend, type Submission } from './backend.js';
import { type BackendName } from '../../contract/backends.js';
import { BackendLoader, type BackendEntries } from './backend-loader.js';
import type { TemplateCatalog } from './catalog.js';
import {
  BackendFailure,
  BadRequest,
  Forbidden,
  GatewayError,
  IdempotencyConflict,
  JobNotCancellable,
  JobNotFound,
  ParameterValidationFailed,
  TemplateNotFound,
  TooManyRequests,
} from './errors.js';
import { jobIdForKey, legacyRequestHash, newJobId } from './ids.js';
import { MAC_PREFIX, type KeyedHash } from './keyed-hash.js';
import { InvalidCursor, type ActiveSlots, type JobRecord, type Ledger } from './ledger.js';
import { noMetrics, type JobMetrics } from './metrics.js';
import { isAuditor, mayCancel, mayListOthers, mayRead, mayRun, type AccessPolicy } from './policy.js';
import { principalKey, type Principal } from './principal.js';
import { RenderedRequestInvalid, renderRequest } from './render.js';
import { isTerminal } from '../../contract/job-status.js';
import type { Template } from '../../contract/template.js';
import { isJobId } from '../../contract/job-id.js';

/** Facts about the HTTP request that belong in the audit trail and in links. */
export interface RequestFacts {
  readonly requestId: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  /** Absolute base URL of this API, for `links.self`. */
  readonly baseUrl: string;
}

export interface JobsServiceDeps {
  readonly catalog: TemplateCatalog;
  /** A backend, or a loader for one: the jobs function loads Google's client only when a Dataproc job needs it. */
  readonly backends: BackendEntries | BackendLoader;
  readonly ledger: Ledger;
  /** Where maxActivePerPrincipal is enforced race-free; without it the limit is checked by listing (best effort). */
  readonly slots?: ActiveSlots;
  readonly audit: AuditTrail;
  readonly access: AccessPolicy;
  /**
   * The deployment's MAC key (request hashes, principal labels, personal fingerprints), loaded on first use. Only the
   * function that submits has it; without it `submit` and `fingerprint` fail. @default none
   */
  readonly keyedHash?: () => Promise<KeyedHash>;
  readonly metrics?: JobMetrics;
  readonly now?: () => Date;
  readonly log?: { warn(message: string, extra?: Record<string, unknown>): void };
}

export interface SubmitCommand {
  readonly principal: Principal;
  readonly template: string;
  readonly parameters: unknown;
  readonly idempotencyKey?: string;
  readonly dryRun?: boolean;
}

export type SubmitResult =
  | { readonly kind: 'submitted'; readonly job: JobView; readonly replayed: boolean }
  | { readonly kind: 'dryRun'; readonly jobId: string; readonly template: string; readonly backend: BackendName; readonly request: BackendRequest };

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export class JobsService {
  private readonly metrics: JobMetrics;
  private readonly now: () => Date;
  private readonly backends: BackendLoader;

  constructor(private readonly deps: JobsServiceDeps) {
    this.backends = deps.backends instanceof BackendLoader ? deps.backends : new BackendLoader(deps.backends);
    this.metrics = deps.metrics ?? noMetrics;
    this.now = deps.now ?? (() => new Date());
  }

  async submit(cmd: SubmitCommand, req: RequestFacts): Promise<SubmitResult> {
    const { principal } = cmd;
    const template = this.deps.catalog.get(cmd.template);
    if (!template) {
      this.audit(req, principal, { event: 'job.denied', outcome: 'denied', template: cmd.template, reason: 'unknown_template' });
      throw new TemplateNotFound(`no template named "${cmd.template}"`);
    }
    const decision = mayRun(principal, template);
    if (!decision.allowed) {
      // The same answer as for a template that does not exist (as GET /templates/{id} gives): nothing to enumerate.
      // The audit event keeps the real reason.
      this.audit(req, principal, { event: 'job.denied', outcome: 'denied', ...this.templateFacts(template), reason: decision.reason });
      throw new TemplateNotFound(`no template named "${cmd.template}"`);
    }
    if (cmd.idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(cmd.idempotencyKey)) {
      throw new BadRequest('Idempotency-Key must be 1 to 255 visible ASCII characters', [{ pointer: 'header:Idempotency-Key', detail: 'is malformed' }]);
    }

    const parameters = this.validated(template, cmd.parameters, req, principal);
    const rendered = this.rendered(template, parameters);
    const backend = await this.backendFor(template);
    const mac = await this.keyed();
    // Unchanged by keyed MACs on purpose: a retry across the upgrade must map to the job it already started.
    const jobId = cmd.idempotencyKey ? jobIdForKey(principal.issuer, principal.subject, cmd.idempotencyKey) : newJobId();
    const submission: Submission = { jobId, template, rendered, principal, principalTag: mac.principalTag(principal) };
    const masked = maskParameters(parameters, template, (v) => mac.personal(v));

    if (cmd.dryRun) {
      const request = backend.plan(submission);
      this.audit(req, principal, { event: 'job.dry_run', outcome: 'success', jobId, ...this.templateFacts(template), parameters: masked });
      return { kind: 'dryRun', jobId, template: template.id, backend: template.backend, request };
    }

    const now = this.now().toISOString();
    const record: JobRecord = {
      id: jobId,
      template: template.id,
      backend: template.backend,
      status: 'QUEUED',
      backendStatus: 'RESERVED',
      parameters: masked,
      requestHash: mac.requestHash({ template: template.id, parameters }),
      principal: { issuer: principal.issuer, subject: principal.subject, kind: principal.kind },
      principalKey: principalKey(principal),
      createdAt: now,
      updatedAt: now,
    };

    // A retry of a request that already has a ledger row is answered from the row, before any limit applies.
    const existing = cmd.idempotencyKey ? await this.deps.ledger.get(jobId) : undefined;
    const sameRequest = (row: JobRecord) => sameRequestHash(row.requestHash, record.requestHash, () => legacyRequestHash({ template: template.id, parameters }));
    if (existing) return this.replay(existing, record, submission, backend, req, sameRequest);

    if (!this.deps.slots) await this.enforceActiveLimitByListing(template, principal, req);
    const reservation = await this.deps.ledger.reserve(record);
    if (!reservation.created) return this.replay(reservation.job, record, submission, backend, req, sameRequest);
    // The row exists before the slot is claimed, so every slot holder has a row and a stale one can be told apart.
    if (!(await this.claimSlot(template, principal, jobId))) {
      await this.deps.ledger.discard(jobId);
      throw this.limitReached(template, principal, req);
    }
    return { kind: 'submitted', job: await this.sendToBackend(reservation.job, submission, backend, req), replayed: false };
  }

  /** A row exists for this id: same request → the same job (finishing the submission if a crash interrupted it); another body → 409. */
  private async replay(
    existing: JobRecord,
    record: JobRecord,
    submission: Submission,
    backend: JobBackend,
    req: RequestFacts,
    sameRequest: (row: JobRecord) => boolean,
  ): Promise<SubmitResult> {
    if (!sameRequest(existing) || existing.principalKey !== record.principalKey) {
      this.audit(req, submission.principal, { event: 'job.denied', outcome: 'denied', jobId: existing.id, ...this.templateFacts(submission.template), reason: 'idempotency_conflict' });
      throw new IdempotencyConflict('this Idempotency-Key was already used with a different request');
    }
    if (existing.backendRef || existing.pending !== 'RESERVED') {
      return { kind: 'submitted', job: this.view(existing, req), replayed: true };
    }
    // Reserved but never confirmed (a crash or a timeout between reserve and record): the backend's own de-duplication makes this safe.
    if (!(await this.claimSlot(submission.template, submission.principal, existing.id))) throw this.limitReached(submission.template, submission.principal, req);
    return { kind: 'submitted', job: await this.sendToBackend(existing, submission, backend, req), replayed: true };
  }

  private async sendToBackend(row: JobRecord, submission: Submission, backend: JobBackend, req: RequestFacts): Promise<JobView> {
    const { template, principal } = submission;
    const started = Date.now();
    try {
      const accepted = await backend.submit(submission);
      this.metrics.backendLatency(template.backend, 'submit', Date.now() - started);
      const { ref, state } = splitAccepted(accepted);
      const recorded = await this.deps.ledger.recordSubmission(row.id, ref, state, this.now().toISOString());
      this.metrics.submitted(template.backend, template.id);
      this.audit(req, principal, {
        event: 'job.submitted',
        outcome: 'success',
        jobId: row.id,
        ...this.templateFacts(template),
        backendJobId: ref.id,
        parameters: row.parameters,
      });
      return this.view(recorded, req);
    } catch (err) {
      const code = err instanceof BackendFailure || (err instanceof GatewayError && 'backendCode' in err) ? String((err as { backendCode: unknown }).backendCode) : 'internal';
      this.metrics.submitFailed(template.backend, template.id, code);
      this.audit(req, principal, {
        event: 'job.submit_failed',
        outcome: 'failure',
        jobId: row.id,
        ...this.templateFacts(template),
        parameters: row.parameters,
        reason: code,
        // The caller sees only the code and the request id (errors.ts serverSideDetail); the full message is kept here.
        ...(err instanceof Error ? { detail: err.message } : {}),
      });
      // A definite rejection ends the job; a transient failure leaves it reserved for a retry (or the reconciler).
      if (err instanceof GatewayError && !(err instanceof BackendFailure)) {
        await this.settle(await this.deps.ledger.updateStatus(row.id, { status: 'FAILED', backendStatus: 'REJECTED', message: err.message }, this.now().toISOString()));
      }
      throw err;
    }
  }

  async get(principal: Principal, id: string, req: RequestFacts): Promise<JobView> {
    const row = await this.readable(principal, id);
    return this.view(await this.refresh(row), req);
  }

  async list(principal: Principal, options: { limit?: number; cursor?: string; principal?: string }, req: RequestFacts): Promise<{ jobs: JobView[]; nextCursor?: string }> {
    let key = principalKey(principal);
    if (options.principal !== undefined && options.principal !== key) {
      if (!mayListOthers(principal, this.deps.access)) {
        throw new Forbidden('only auditors and admins may list the jobs of another principal');
      }
      key = options.principal;
    }
    try {
      const page = await this.deps.ledger.listByPrincipal(key, { limit: options.limit ?? 20, cursor: options.cursor });
      // Unfinished jobs are refreshed like GET /jobs/{id}, so a listing never shows a status the backend has moved past.
      const rows = await Promise.all(page.items.map((r) => this.refresh(r)));
      return { jobs: rows.map((r) => this.view(r, req)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    } catch (err) {
      if (err instanceof InvalidCursor) throw new BadRequest(err.message, [{ pointer: 'query:cursor', detail: 'is not a cursor from this listing' }]);
      throw err;
    }
  }

  async cancel(principal: Principal, id: string, req: RequestFacts, reason = 'requested'): Promise<JobView> {
    const row = await this.readable(principal, id);
    if (!mayCancel(principal, row, this.deps.access)) {
      this.audit(req, principal, { event: 'job.cancel_denied', outcome: 'denied', jobId: id, template: row.template, backend: row.backend, reason: 'not_owner' });
      throw new JobNotFound(`no job ${id}`);
    }
    return this.view(await this.cancelRow(row, principal, req, reason), req);
  }

  /** Cancel a job on its backend; used by the cancel route and by revocation (which acts for an admin). */
  async cancelRow(row: JobRecord, actor: Principal, req: RequestFacts, reason: string): Promise<JobRecord> {
    if (isTerminal(row.status)) throw new JobNotCancellable(`job ${row.id} is already ${row.status}`);
    if (!row.backendRef) throw new JobNotCancellable(`job ${row.id} has not reached its backend yet; retry in a few seconds`);
    const backend = await this.backendFor(row);
    const started = Date.now();
    const state = await backend.cancel(row.backendRef);
    this.metrics.backendLatency(row.backend, 'cancel', Date.now() - started);
    const updated = await this.settle(await this.deps.ledger.updateStatus(row.id, { ...state, cancelRequested: true }, this.now().toISOString()));
    this.metrics.cancelled(row.backend, row.template);
    this.audit(req, actor, { event: 'job.cancelled', outcome: 'success', jobId: row.id, template: row.template, backend: row.backend, backendJobId: row.backendRef.id, reason });
    return updated;
  }

  /**
   * The fingerprint a personal value has in the ledger and the audit trail, for an auditor's question "did anyone send
   * to x@y.com": search the audit log for it. Auditors and admins only; every answer is audited (the value never is).
   */
  async fingerprint(principal: Principal, value: string, req: RequestFacts): Promise<{ fingerprint: string }> {
    if (!isAuditor(principal, this.deps.access)) {
      this.audit(req, principal, { event: 'audit.fingerprint', outcome: 'denied', reason: 'not_auditor' });
      throw new Forbidden('only auditors and admins may look up the fingerprint of a personal value');
    }
    const fingerprint = (await this.keyed()).personal(value);
    this.audit(req, principal, { event: 'audit.fingerprint', outcome: 'success', fingerprint });
    return { fingerprint };
  }

  private keyed(): Promise<KeyedHash> {
    if (!this.deps.keyedHash) return Promise.reject(new Error('this function has no MAC key: only the jobs function submits jobs'));
    return this.deps.keyedHash();
  }

  /** A job the caller may read; otherwise 404, exactly as for a job that does not exist. */
  async readable(principal: Principal, id: string): Promise<JobRecord> {
    const row = isJobId(id) ? await this.deps.ledger.get(id) : undefined;
    if (!row || !mayRead(principal, row, this.deps.access)) throw new JobNotFound(`no job ${id}`);
    return row;
  }

  /** Ask the backend for the current state of an unfinished job; a flaky backend never fails a read. */
  async refresh(row: JobRecord): Promise<JobRecord> {
    if (isTerminal(row.status) || !row.backendRef) return row;
    const started = Date.now();
    try {
      const state = await (await this.backendFor(row)).get(row.backendRef);
      this.metrics.backendLatency(row.backend, 'get', Date.now() - started);
      if (state.status === row.status && state.backendStatus === row.backendStatus && state.message === row.message) return row;
      return await this.settle(await this.deps.ledger.updateStatus(row.id, state, this.now().toISOString()));
    } catch (err) {
      this.deps.log?.warn('status refresh failed; answering from the ledger', { jobId: row.id, error: err instanceof Error ? err.name : 'unknown' });
      return row;
    }
  }

  private validated(template: Template, parameters: unknown, req: RequestFacts, principal: Principal): Record<string, unknown> {
    try {
      return this.deps.catalog.validateParameters(template, parameters);
    } catch (err) {
      if (err instanceof ParameterValidationFailed) {
        this.audit(req, principal, { event: 'job.denied', outcome: 'denied', ...this.templateFacts(template), reason: 'invalid_parameters' });
      }
      throw err;
    }
  }

  private rendered(template: Template, parameters: Record<string, unknown>): Record<string, unknown> {
    try {
      return renderRequest(template, parameters);
    } catch (err) {
      if (err instanceof RenderedRequestInvalid) {
        throw new ParameterValidationFailed(err.problems.map((p) => ({ pointer: '/parameters', detail: `renders an invalid ${template.backend} request: ${p.pointer} ${p.detail}` })));
      }
      throw err;
    }
  }

  /** Hold one of the template's active slots for this job; when all are taken, free those of finished jobs and try again. */
  private async claimSlot(template: Template, principal: Principal, jobId: string): Promise<boolean> {
    const max = template.limits.maxActivePerPrincipal;
    const slots = this.deps.slots;
    if (max === undefined || !slots) return true;
    const key = principalKey(principal);
    if (await slots.claim(key, template.id, jobId, max)) return true;
    let freed = false;
    for (const id of await slots.holders(key, template.id)) {
      if (id === jobId) continue;
      const row = await this.deps.ledger.get(id);
      const current = row ? await this.refresh(row) : undefined;
      if (!current || isTerminal(current.status)) {
        await slots.release(key, template.id, id);
        freed = true;
      }
    }
    return freed && (await slots.claim(key, template.id, jobId, max));
  }

  /** A job that just became terminal gives its slot back. */
  private async settle(row: JobRecord): Promise<JobRecord> {
    const limited = this.deps.catalog.get(row.template)?.limits.maxActivePerPrincipal !== undefined;
    if (limited && this.deps.slots && isTerminal(row.status)) await this.deps.slots.release(row.principalKey, row.template, row.id);
    return row;
  }

  private limitReached(template: Template, principal: Principal, req: RequestFacts): TooManyRequests {
    const max = template.limits.maxActivePerPrincipal ?? 0;
    this.audit(req, principal, { event: 'job.denied', outcome: 'denied', ...this.templateFacts(template), reason: 'active_limit' });
    return new TooManyRequests(`you already have ${max} active job${max === 1 ? '' : 's'} of template "${template.id}"; wait for one to finish`, 30);
  }

  private async enforceActiveLimitByListing(template: Template, principal: Principal, req: RequestFacts): Promise<void> {
    const max = template.limits.maxActivePerPrincipal;
    if (max === undefined) return;
    const active = await this.deps.ledger.listActive(principalKey(principal), template.id);
    if (active.length < max) return;
    // Refresh stale rows first: jobs that finished since they were last read no longer count.
    const current = await Promise.all(active.map((r) => this.refresh(r)));
    if (current.filter((r) => !isTerminal(r.status)).length < max) return;
    throw this.limitReached(template, principal, req);
  }

  /** The backend a template or job runs on, loaded on first use. */
  backendFor(t: { backend: BackendName }): Promise<JobBackend> {
    return this.backends.load(t.backend);
  }

  private templateFacts(t: Template) {
    return { template: t.id, backend: t.backend, datasets: t.datasets };
  }

  private audit(req: RequestFacts, principal: Principal, event: Omit<AuditEvent, 'principal' | 'requestId' | 'sourceIp' | 'userAgent'>): void {
    this.deps.audit.record({
      ...event,
      principal: { issuer: principal.issuer, subject: principal.subject, kind: principal.kind, groups: principal.groups },
      requestId: req.requestId,
      sourceIp: req.sourceIp,
      userAgent: req.userAgent,
    } as AuditEvent);
  }

  view(r: JobRecord, req: RequestFacts): JobView {
    return {
      id: r.id,
      template: r.template,
      backend: r.backend,
      status: r.status,
      backendStatus: r.backendStatus,
      ...(r.message ? { message: r.message } : {}),
      parameters: r.parameters,
      principal: r.principal,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      links: { self: `${req.baseUrl}/jobs/${r.id}`, ...(r.backendRef?.consoleUrl ? { console: r.backendRef.consoleUrl } : {}) },
    };
  }
}

/**
 * Whether a stored request hash is this request's. Rows written before keyed MACs hold a bare SHA-256 hex: compare
 * like with like, so an Idempotency-Key used before the upgrade still replays (and still conflicts on another body).
 */
function sameRequestHash(stored: string, keyed: string, legacy: () => string): boolean {
  return stored.startsWith(MAC_PREFIX) ? stored === keyed : stored === legacy();
}
