// Prepare: everything a submission needs before the ledger sees it — its backend, the MAC key, the job id, the request
// the backend gets and the parameters as the ledger and the audit trail show them.
import type { Template } from '../../../contract/template.js';
import { maskParameters } from '../audit.js';
import type { JobBackend, Submission } from '../backend.js';
import { jobIdForKey, newJobId } from '../ids.js';
import type { KeyedHash } from '../keyed-hash.js';
import type { Principal } from '../principal.js';
import type { JobsContext } from './context.js';

export interface PreparedJob {
  readonly jobId: string;
  readonly template: Template;
  readonly principal: Principal;
  /** With an Idempotency-Key a retry maps to the same id, so the ledger may already hold its row. */
  readonly idempotent: boolean;
  /** Validated and unmasked: only ever hashed (the ledger's request hash), never stored. */
  readonly parameters: Record<string, unknown>;
  /** What the ledger and the audit trail keep (lambda/core/audit.ts maskParameters). */
  readonly masked: Record<string, unknown>;
  readonly submission: Submission;
  readonly backend: JobBackend;
  readonly mac: KeyedHash;
}

export async function prepare(
  ctx: JobsContext,
  cmd: { readonly principal: Principal; readonly idempotencyKey?: string },
  template: Template,
  parameters: Record<string, unknown>,
  rendered: Record<string, unknown>,
): Promise<PreparedJob> {
  const { principal, idempotencyKey } = cmd;
  const backend = await ctx.backendFor(template);
  const mac = await ctx.keyed();
  // Unchanged by keyed MACs on purpose: a retry across the upgrade must map to the job it already started.
  const jobId = idempotencyKey ? jobIdForKey(principal.issuer, principal.subject, idempotencyKey) : newJobId();
  const submission: Submission = { jobId, template, rendered, principal, principalTag: mac.principalTag(principal) };
  const masked = maskParameters(parameters, template, (v) => mac.personal(v));
  return { jobId, template, principal, idempotent: Boolean(idempotencyKey), parameters, masked, submission, backend, mac };
}
