import { isRefusedTokenReason, type RefusedTokenReason } from '../../contract/denials.js';

/** A person, a machine (client-credentials) token, or a token whose shape does not say (see authorizer/claims.ts). */
export type PrincipalKind = 'user' | 'agent' | 'unknown';

/** Who is calling, as established by the authorizer. The authorizer context is the only source of it. */
export interface Principal {
  readonly issuer: string;
  readonly subject: string;
  /** Only the groups the issuer is trusted to assert (config `trustedGroups`). */
  readonly groups: readonly string[];
  readonly kind: PrincipalKind;
  /** Route scopes (contract/routes.ts ROUTE_SCOPES) the token was granted, already translated from the issuer's names. */
  readonly scopes: readonly string[];
}

/** The stable key of a principal in the ledger and in revocations: issuer and subject, never groups. */
export function principalKey(p: Pick<Principal, 'issuer' | 'subject'>): string {
  return `${p.issuer}#${p.subject}`;
}

/**
 * API Gateway authorizer context values must be strings, numbers or booleans, so lists travel as JSON.
 * This is the one encoding both the authorizer and the handlers use.
 */
export type AuthorizerContext = Record<string, string>;

export function toAuthorizerContext(p: Principal): AuthorizerContext {
  return {
    issuer: p.issuer,
    subject: p.subject,
    groups: JSON.stringify(p.groups),
    kind: p.kind,
    scopes: JSON.stringify(p.scopes),
  };
}

/** Parse the context the authorizer returned; anything malformed means the request has no identity. */
export function fromAuthorizerContext(ctx: Record<string, unknown> | null | undefined): Principal | undefined {
  if (!ctx) return undefined;
  const { issuer, subject, groups, kind, scopes } = ctx;
  if (typeof issuer !== 'string' || !issuer || typeof subject !== 'string' || !subject) return undefined;
  if (kind !== 'user' && kind !== 'agent' && kind !== 'unknown') return undefined;
  const list = (v: unknown): string[] | undefined => {
    if (typeof v !== 'string') return undefined;
    try {
      const parsed: unknown = JSON.parse(v);
      return Array.isArray(parsed) && parsed.every((x) => typeof x === 'string') ? parsed : undefined;
    } catch {
      return undefined;
    }
  };
  const g = list(groups);
  const s = list(scopes);
  if (!g || !s) return undefined;
  return { issuer, subject, groups: g, kind, scopes: s };
}

/**
 * A token the authorizer refused but let through, so the API function can say why in its 401 (API Gateway's own 401
 * cannot carry a reason: docs/identity.md). `requestId` is the request the authorizer decided on; API Gateway serves
 * later requests with the same token from its cache, and those are audited by the function.
 */
export interface TokenRefusal {
  readonly reason: RefusedTokenReason;
  readonly requestId: string;
}

export const toRefusalContext = (r: TokenRefusal): AuthorizerContext => ({ tokenRefused: r.reason, tokenRefusedIn: r.requestId });

export function refusalFromAuthorizerContext(ctx: Record<string, unknown> | null | undefined): TokenRefusal | undefined {
  if (!ctx || !Object.hasOwn(ctx, 'tokenRefused')) return undefined;
  // an unreadable refusal is still a refusal: the request must not pass as anonymous
  const reason = isRefusedTokenReason(ctx.tokenRefused) ? ctx.tokenRefused : 'malformed';
  return { reason, requestId: typeof ctx.tokenRefusedIn === 'string' ? ctx.tokenRefusedIn : '' };
}
