// Revoking an identity: record it (from then on every request of that principal is refused) and cancel its active jobs.
import type { AuditTrail } from './audit.js';
import { Forbidden, JobNotCancellable, RouteNotFound } from './errors.js';
import type { JobsService, RequestFacts } from './jobs.js';
import type { Ledger } from './ledger.js';
import { isAdmin, isAuditor, type AccessPolicy } from './policy.js';
import { principalKey, type Principal } from './principal.js';
import { revocationId, type Revocation, type RevocationStore } from './revocations.js';

export interface RevocationServiceDeps {
  readonly store: RevocationStore;
  readonly ledger: Ledger;
  readonly jobs: JobsService;
  readonly audit: AuditTrail;
  readonly access: AccessPolicy;
  readonly now?: () => Date;
}

export class RevocationService {
  constructor(private readonly deps: RevocationServiceDeps) {}

  async revoke(actor: Principal, target: { issuer: string; subject: string; reason: string }, req: RequestFacts): Promise<{ created: boolean; revocation: Revocation }> {
    this.requireAdmin(actor, req, 'principal.revoked');
    if (principalKey(actor) === principalKey(target)) throw new Forbidden('an admin cannot revoke their own identity');
    const revocation: Revocation = {
      id: revocationId(target.issuer, target.subject),
      issuer: target.issuer,
      subject: target.subject,
      reason: target.reason,
      revokedBy: { issuer: actor.issuer, subject: actor.subject, kind: actor.kind },
      revokedAt: (this.deps.now?.() ?? new Date()).toISOString(),
      cancelledJobs: [],
    };
    const stored = await this.deps.store.add(revocation);
    // Cancel after recording, so no new job can start in between; a retried revocation cancels whatever is still active.
    const cancelled: string[] = [...stored.revocation.cancelledJobs];
    const failures: string[] = [];
    for (const row of await this.deps.ledger.listActive(principalKey(target))) {
      try {
        // A job still awaiting approval never reached a backend: it ends REJECTED, no backend call.
        const waiting = row.status === 'AWAITING_APPROVAL' ? await this.deps.jobs.rejectWaiting(row, actor, req) : undefined;
        if (waiting?.ended) {
          cancelled.push(row.id);
          continue;
        }
        const current = await this.deps.jobs.refresh(waiting?.row ?? row);
        await this.deps.jobs.cancelRow(current, actor, req, 'principal_revoked');
        cancelled.push(row.id);
      } catch (err) {
        if (!(err instanceof JobNotCancellable)) failures.push(row.id);
        else if (!row.backendRef) failures.push(row.id);
      }
    }
    const unique = [...new Set(cancelled)];
    await this.deps.store.setCancelledJobs(revocation.id, unique);
    this.deps.audit.record({
      event: 'principal.revoked',
      outcome: failures.length ? 'failure' : 'success',
      principal: { issuer: actor.issuer, subject: actor.subject, kind: actor.kind, groups: actor.groups },
      target: { issuer: target.issuer, subject: target.subject },
      reason: target.reason,
      cancelledJobs: unique,
      ...(failures.length ? { notCancelled: failures } : {}),
      requestId: req.requestId,
      sourceIp: req.sourceIp,
      userAgent: req.userAgent,
    });
    return { created: stored.created, revocation: { ...stored.revocation, cancelledJobs: unique } };
  }

  async list(actor: Principal, req: RequestFacts): Promise<Revocation[]> {
    if (!isAuditor(actor, this.deps.access)) {
      this.denied(actor, req, 'principal.revoked');
      throw new Forbidden('only auditors and admins may read revocations');
    }
    return this.deps.store.list();
  }

  async lift(actor: Principal, id: string, req: RequestFacts): Promise<void> {
    this.requireAdmin(actor, req, 'principal.unrevoked');
    const removed = /^rev-[0-9a-f]{24}$/.test(id) ? await this.deps.store.remove(id) : undefined;
    if (!removed) throw new RouteNotFound(`no revocation ${id}`);
    this.deps.audit.record({
      event: 'principal.unrevoked',
      outcome: 'success',
      principal: { issuer: actor.issuer, subject: actor.subject, kind: actor.kind, groups: actor.groups },
      target: { issuer: removed.issuer, subject: removed.subject },
      requestId: req.requestId,
      sourceIp: req.sourceIp,
      userAgent: req.userAgent,
    });
  }

  private requireAdmin(actor: Principal, req: RequestFacts, event: 'principal.revoked' | 'principal.unrevoked'): void {
    if (isAdmin(actor, this.deps.access)) return;
    this.denied(actor, req, event);
    throw new Forbidden('only admins may manage revocations');
  }

  private denied(actor: Principal, req: RequestFacts, event: 'principal.revoked' | 'principal.unrevoked'): void {
    this.deps.audit.record({
      event,
      outcome: 'denied',
      principal: { issuer: actor.issuer, subject: actor.subject, kind: actor.kind, groups: actor.groups },
      reason: 'not_admin',
      requestId: req.requestId,
      sourceIp: req.sourceIp,
      userAgent: req.userAgent,
    });
  }
}
