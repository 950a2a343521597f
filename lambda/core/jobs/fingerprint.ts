// POST /audit/fingerprints: the fingerprint a personal value has in the ledger and the audit trail (lambda/core/audit.ts
// maskParameters), so an auditor can ask "did anyone send to x@y.com" of the audit log.
import { Forbidden } from '../errors.js';
import { isAuditor } from '../policy.js';
import type { Principal } from '../principal.js';
import type { JobsContext, RequestFacts } from './context.js';

/** Auditors and admins only; every answer is audited (the value never is). */
export async function personalFingerprint(ctx: JobsContext, principal: Principal, value: string, req: RequestFacts): Promise<{ fingerprint: string }> {
  if (!isAuditor(principal, ctx.access)) {
    ctx.audit(req, principal, { event: 'audit.fingerprint', outcome: 'denied', reason: 'not_auditor' });
    throw new Forbidden('only auditors and admins may look up the fingerprint of a personal value');
  }
  const fingerprint = (await ctx.keyed()).personal(value);
  ctx.audit(req, principal, { event: 'audit.fingerprint', outcome: 'success', fingerprint });
  return { fingerprint };
}
