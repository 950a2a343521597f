// The jobs service as routes, revocation and job output call it: one method per action, each handing its context to the
// module under lambda/core/jobs/ that holds its steps (submit.ts reads the whole path of a submission).
import type { JobView } from '../../contract/api-schemas.js';
import type { BackendName } from '../../contract/backends.js';
import type { JobBackend } from './backend.js';
import type { JobRecord } from './ledger.js';
import type { Principal } from './principal.js';
import { cancelJob, cancelRow } from './jobs/cancel.js';
import { JobsContext, jobView, type JobsServiceDeps, type RequestFacts } from './jobs/context.js';
import { personalFingerprint } from './jobs/fingerprint.js';
import { getJob, listJobs, readableJob, type ListOptions } from './jobs/read.js';
import { refreshJob } from './jobs/status.js';
import { submitJob, type SubmitCommand, type SubmitResult } from './jobs/submit.js';
import { decide, type Decision } from './approvals/decide.js';
import { endWaiting } from './approvals/end.js';
import { listApprovals } from './approvals/list.js';

export type { JobsServiceDeps, RequestFacts } from './jobs/context.js';
export type { SubmitCommand, SubmitResult } from './jobs/submit.js';

export class JobsService {
  private readonly ctx: JobsContext;

  constructor(deps: JobsServiceDeps) {
    this.ctx = new JobsContext(deps);
  }

  submit(cmd: SubmitCommand, req: RequestFacts): Promise<SubmitResult> {
    return submitJob(this.ctx, cmd, req);
  }

  get(principal: Principal, id: string, req: RequestFacts): Promise<JobView> {
    return getJob(this.ctx, principal, id, req);
  }

  list(principal: Principal, options: ListOptions, req: RequestFacts): Promise<{ jobs: JobView[]; nextCursor?: string }> {
    return listJobs(this.ctx, principal, options, req);
  }

  cancel(principal: Principal, id: string, req: RequestFacts, reason = 'requested'): Promise<JobView> {
    return cancelJob(this.ctx, principal, id, req, reason);
  }

  /** Cancel a job on its backend; used by the cancel route and by revocation (which acts for an admin). */
  cancelRow(row: JobRecord, actor: Principal, req: RequestFacts, reason: string): Promise<JobRecord> {
    return cancelRow(this.ctx, row, actor, req, reason);
  }

  /** GET /approvals: jobs awaiting a decision the caller may take (lambda/core/approvals/list.ts). */
  approvals(principal: Principal, options: { limit?: number; cursor?: string }, req: RequestFacts): Promise<{ jobs: JobView[]; nextCursor?: string }> {
    return listApprovals(this.ctx, principal, options, req);
  }

  /** POST /jobs/{id}/approve and /reject (lambda/core/approvals/decide.ts). */
  async decide(principal: Principal, id: string, decision: Decision, comment: string | undefined, req: RequestFacts): Promise<JobView> {
    return jobView(await decide(this.ctx, principal, id, decision, comment, req), req);
  }

  /** Revocation of the submitter ends a job still awaiting approval; false when it no longer waits (the row says why). */
  rejectWaiting(row: JobRecord, actor: Principal, req: RequestFacts): Promise<{ ended: boolean; row: JobRecord }> {
    return endWaiting(this.ctx, row, { status: 'REJECTED', reason: 'submitter_revoked' }, { principal: actor }, req);
  }

  /** The fingerprint of a personal value, for auditors (lambda/core/jobs/fingerprint.ts). */
  fingerprint(principal: Principal, value: string, req: RequestFacts): Promise<{ fingerprint: string }> {
    return personalFingerprint(this.ctx, principal, value, req);
  }

  /** A job the caller may read; otherwise 404, exactly as for a job that does not exist. */
  readable(principal: Principal, id: string): Promise<JobRecord> {
    return readableJob(this.ctx, principal, id);
  }

  /** Ask the backend for the current state of an unfinished job; a flaky backend never fails a read. */
  refresh(row: JobRecord): Promise<JobRecord> {
    return refreshJob(this.ctx, row);
  }

  /** The backend a template or job runs on, loaded on first use. */
  backendFor(t: { backend: BackendName }): Promise<JobBackend> {
    return this.ctx.backendFor(t);
  }
}
