// POST /jobs as one path: authorize → validate → render → prepare → claim → send → settle. Each step audits its own
// refusals and throws the problem the caller sees; the ledger is touched only from `claim` on.
import type { BackendName } from '../../../contract/backends.js';
import type { Template } from '../../../contract/template.js';
import type { JobView } from '../../../contract/api-schemas.js';
import type { BackendRequest } from '../backend.js';
import { BadRequest, ParameterValidationFailed, TemplateNotFound } from '../errors.js';
import { mayRun } from '../policy.js';
import type { Principal } from '../principal.js';
import { RenderedRequestInvalid, renderRequest } from '../render.js';
import { announceRequest, awaitingApproval } from '../approvals/request.js';
import { claim } from './claim.js';
import { jobView, templateFacts, type JobsContext, type RequestFacts } from './context.js';
import { prepare, type PreparedJob } from './prepare.js';
import { send, settle, settleFailure } from './send.js';

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

export async function submitJob(ctx: JobsContext, cmd: SubmitCommand, req: RequestFacts): Promise<SubmitResult> {
  // Authorize before validating: a 400 or 422 about a template the caller may not run would reveal that it exists.
  const template = authorize(ctx, cmd, req);
  const parameters = validate(ctx, template, cmd, req);
  const rendered = render(template, parameters);
  const job = await prepare(ctx, cmd, template, parameters, rendered);
  if (cmd.dryRun) return dryRun(ctx, job, req);

  // A template with `approval`: the row waits for approvers (lambda/core/approvals/), nothing is sent now.
  const claimed = await claim(ctx, job, req, template.approval ? awaitingApproval(job, rendered) : undefined);
  if (claimed.kind === 'answered') return { kind: 'submitted', job: jobView(claimed.row, req), replayed: true };
  if (claimed.row.status === 'AWAITING_APPROVAL') {
    await announceRequest(ctx, claimed.row, job, req);
    return { kind: 'submitted', job: jobView(claimed.row, req), replayed: false };
  }
  // A failure once the row is claimed (the backend's, or the ledger's while recording) is settled too.
  try {
    const accepted = await send(ctx, job);
    const recorded = await settle(ctx, claimed.row, job, accepted, req);
    return { kind: 'submitted', job: jobView(recorded, req), replayed: claimed.replayed };
  } catch (err) {
    await settleFailure(ctx, claimed.row, job, err, req);
    throw err;
  }
}

/** The template, when the caller may run it. */
function authorize(ctx: JobsContext, cmd: SubmitCommand, req: RequestFacts): Template {
  const { principal } = cmd;
  const template = ctx.catalog.get(cmd.template);
  if (!template) {
    ctx.audit(req, principal, { event: 'job.denied', outcome: 'denied', template: cmd.template, reason: 'unknown_template' });
    throw new TemplateNotFound(`no template named "${cmd.template}"`);
  }
  const decision = mayRun(principal, template);
  if (!decision.allowed) {
    // The same answer as for a template that does not exist (as GET /templates/{id} gives): nothing to enumerate.
    // The audit event keeps the real reason.
    ctx.audit(req, principal, { event: 'job.denied', outcome: 'denied', ...templateFacts(template), reason: decision.reason });
    throw new TemplateNotFound(`no template named "${cmd.template}"`);
  }
  return template;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The Idempotency-Key's shape, then the parameters against the template's schema: a validated copy, defaults filled in. */
function validate(ctx: JobsContext, template: Template, cmd: SubmitCommand, req: RequestFacts): Record<string, unknown> {
  if (cmd.idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(cmd.idempotencyKey)) {
    throw new BadRequest('Idempotency-Key must be 1 to 255 visible ASCII characters', [{ pointer: 'header:Idempotency-Key', detail: 'is malformed' }]);
  }
  try {
    return ctx.catalog.validateParameters(template, cmd.parameters);
  } catch (err) {
    if (err instanceof ParameterValidationFailed) {
      ctx.audit(req, cmd.principal, { event: 'job.denied', outcome: 'denied', ...templateFacts(template), reason: 'invalid_parameters' });
    }
    throw err;
  }
}

/** The backend request the parameters render to; one that breaks the backend's request shape is the caller's 422. */
function render(template: Template, parameters: Record<string, unknown>): Record<string, unknown> {
  try {
    return renderRequest(template, parameters);
  } catch (err) {
    if (err instanceof RenderedRequestInvalid) {
      throw new ParameterValidationFailed(err.problems.map((p) => ({ pointer: '/parameters', detail: `renders an invalid ${template.backend} request: ${p.pointer} ${p.detail}` })));
    }
    throw err;
  }
}

/** `?dryRun=true`: the request the backend would get, audited, with no ledger row and no backend call. */
function dryRun(ctx: JobsContext, job: PreparedJob, req: RequestFacts): SubmitResult {
  const request = job.backend.plan(job.submission);
  ctx.audit(req, job.principal, { event: 'job.dry_run', outcome: 'success', jobId: job.jobId, ...templateFacts(job.template), parameters: job.masked });
  return { kind: 'dryRun', jobId: job.jobId, template: job.template.id, backend: job.template.backend, request };
}
