import type { AuditTrail } from '../core/audit.js';
import { Unauthenticated } from '../core/errors.js';
import type { RequestFacts } from '../core/jobs.js';
import type { Principal } from '../core/principal.js';

/** Refuses a revoked principal, audited like an authorizer refusal. */
export type RevocationGate = (principal: Principal, req: RequestFacts) => Promise<void>;

/**
 * Every handler checks revocation itself: API Gateway may answer from its authorizer cache for minutes after a
 * principal was revoked, and this is where such a request is stopped.
 */
export function revocationGate(isRevoked: (issuer: string, subject: string) => Promise<boolean>, audit: AuditTrail): RevocationGate {
  return async (principal, req) => {
    if (!(await isRevoked(principal.issuer, principal.subject))) return;
    audit.record({
      event: 'auth.denied',
      outcome: 'denied',
      reason: 'revoked',
      principal: { issuer: principal.issuer, subject: principal.subject, kind: principal.kind, groups: principal.groups },
      requestId: req.requestId,
      sourceIp: req.sourceIp,
      userAgent: req.userAgent,
    });
    throw new Unauthenticated('this identity has been revoked');
  };
}
