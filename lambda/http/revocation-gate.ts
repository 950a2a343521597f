import type { AuditTrail } from '../core/audit.js';
import { TokenRefused } from '../core/errors.js';
import type { RequestFacts } from '../core/jobs.js';
import type { Principal } from '../core/principal.js';

/**
 * Refuses a revoked principal, audited like an authorizer refusal. `auditedIn` is the request the authorizer already
 * audited as revoked (lambda/core/principal.ts TokenRefusal), so that one request gets one line.
 */
export type RevocationGate = (principal: Principal, req: RequestFacts, auditedIn?: string) => Promise<void>;

/**
 * Every handler checks revocation itself: API Gateway may answer from its authorizer cache for minutes after a
 * principal was revoked, and this is where such a request is stopped.
 */
export function revocationGate(isRevoked: (issuer: string, subject: string) => Promise<boolean>, audit: AuditTrail): RevocationGate {
  return async (principal, req, auditedIn) => {
    if (!(await isRevoked(principal.issuer, principal.subject))) return;
    if (auditedIn !== req.requestId) audit.record({
      event: 'auth.denied',
      outcome: 'denied',
      reason: 'revoked',
      principal: { issuer: principal.issuer, subject: principal.subject, kind: principal.kind, groups: principal.groups },
      requestId: req.requestId,
      sourceIp: req.sourceIp,
      userAgent: req.userAgent,
    });
    throw new TokenRefused('revoked');
  };
}
