// A token the authorizer refused reaches the function only to be answered: 401 with the reason (lambda/core/errors.ts
// TokenRefused), audited here when API Gateway served the refusal from its authorizer cache.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { AuditTrail } from '../core/audit.js';
import { TokenRefused } from '../core/errors.js';
import type { RequestFacts } from '../core/jobs.js';
import { refusalFromAuthorizerContext, type TokenRefusal } from '../core/principal.js';

/**
 * Throws TokenRefused when the authorizer refused the request's token. A revocation is left to the revocation gate,
 * which reads the list afresh (it may have been lifted since API Gateway cached the decision): its refusal is returned.
 */
export function refuseRefusedToken(event: APIGatewayProxyEvent, facts: RequestFacts, audit: AuditTrail): TokenRefusal | undefined {
  const refusal = refusalFromAuthorizerContext(event.requestContext.authorizer as Record<string, unknown> | null);
  if (!refusal || refusal.reason === 'revoked') return refusal;
  // The authorizer audited the request it decided on; every later one with the same token is audited here, once.
  if (refusal.requestId !== facts.requestId) {
    audit.record({
      event: 'auth.denied',
      outcome: 'denied',
      reason: refusal.reason,
      cachedDecision: true,
      requestId: facts.requestId,
      sourceIp: facts.sourceIp,
      userAgent: facts.userAgent,
      httpMethod: event.httpMethod,
      path: event.path,
    });
  }
  throw new TokenRefused(refusal.reason);
}
