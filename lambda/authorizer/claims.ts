// From verified claims to a Principal: trusted groups, granted route scopes, and whether the caller is a machine
// (client-credentials) token.
import { mayAssert } from '../../contract/settings.js';
import { type IssuerConfig } from '../../contract/settings.js';
import { ROUTE_SCOPES, type RouteScope } from '../../contract/routes.js';
import type { Principal, PrincipalKind } from '../core/principal.js';
import type { JsonObject } from './compact-jwt.js';
import { TokenRejected } from './denial.js';

export type AgentRule = NonNullable<IssuerConfig['agentRule']>;

export function principalFromClaims(issuer: IssuerConfig, payload: JsonObject): Principal {
  const subject = payload.sub;
  if (typeof subject !== 'string' || !subject) throw new TokenRejected('missing_subject', 'the token has no sub');
  return {
    issuer: issuer.issuer,
    subject,
    // A group counts only if this issuer is trusted to assert it: nothing downstream ever sees the others.
    groups: listClaim(payload, issuer.groupsClaim, 'one').filter((g) => mayAssert(issuer.trustedGroups, g)),
    kind: tokenKind(payload, issuer.agentRule),
    scopes: grantedRouteScopes(issuer, listClaim(payload, issuer.scopeClaim, 'space-separated')),
  };
}

/**
 * The route scopes a token's own scopes grant, through the issuer's `scopes` mapping. An issuer without a mapping
 * checks no scopes: every route scope is granted.
 */
export function grantedRouteScopes(issuer: Pick<IssuerConfig, 'scopes'>, tokenScopes: readonly string[]): RouteScope[] {
  const mapping = issuer.scopes;
  if (!mapping) return [...ROUTE_SCOPES];
  return ROUTE_SCOPES.filter((scope) => (mapping[scope] ?? []).some((name) => tokenScopes.includes(name)));
}

/**
 * A claim that holds a list: an array of strings, or one string. Groups in a string are one group (Okta and Entra ID
 * group names may contain spaces); scopes in a string are space-separated (RFC 8693 `scope`).
 */
export function listClaim(payload: JsonObject, claim: string, stringIs: 'one' | 'space-separated'): string[] {
  const value = Object.hasOwn(payload, claim) ? payload[claim] : undefined;
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return stringIs === 'one' ? (value ? [value] : []) : value.split(' ').filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return [...new Set(value.filter(Boolean))];
  throw new TokenRejected('malformed', `the ${claim} claim is neither a string nor a list of strings`);
}

/**
 * User, machine (client-credentials) token, or unknown. With an `agentRule` the issuer decides; without one, the
 * shapes the big issuers give their tokens, and `unknown` when none matches (a template with `allowAgents: false`
 * then refuses the token):
 * - Entra ID (`tid` present): agent with `idtyp: app`, or app `roles` and no `scp`; user with `idtyp: user` or a
 *   delegated `scp`
 * - Okta: agent when `sub` equals the client id `cid`, user when it differs
 * - Cognito and RFC 9068 issuers (the local provider): agent when `sub` equals `client_id` with no `username`, user
 *   when `sub` differs from `client_id` or there is a `username`
 * - Auth0: agent with `gty: client-credentials` or a `sub` ending in `@clients`; user with another `gty`, or an `azp`
 *   (the client) that is not the subject
 */
export function tokenKind(payload: JsonObject, rule?: AgentRule): PrincipalKind {
  if (rule) return kindByRule(payload, rule);
  const { sub } = payload;
  if (typeof sub !== 'string') return 'unknown';
  if (typeof payload.tid === 'string') {
    if (payload.idtyp === 'app' || (payload.scp === undefined && Array.isArray(payload.roles) && payload.roles.length > 0)) return 'agent';
    if (payload.idtyp === 'user' || payload.scp !== undefined) return 'user';
    return 'unknown';
  }
  const named = (claim: string) => (typeof payload[claim] === 'string' ? (payload[claim] as string) : undefined);
  const okta = named('cid');
  const clientId = named('client_id');
  const azp = named('azp');
  const gty = named('gty');
  const agent = okta === sub || (clientId === sub && payload.username === undefined) || gty === 'client-credentials' || sub.endsWith('@clients');
  if (agent) return 'agent';
  const user =
    (okta !== undefined && okta !== sub) ||
    (clientId !== undefined && clientId !== sub) ||
    typeof payload.username === 'string' ||
    gty !== undefined ||
    (azp !== undefined && azp !== sub);
  return user ? 'user' : 'unknown';
}

function kindByRule(payload: JsonObject, rule: AgentRule): PrincipalKind {
  const value = Object.hasOwn(payload, rule.claim) ? payload[rule.claim] : undefined;
  const present = value !== undefined && value !== null;
  if (rule.values !== undefined) {
    if (!present) return 'unknown';
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) => rule.values!.includes(v as string | boolean)) ? 'agent' : 'user';
  }
  if (rule.absent !== undefined) return present === rule.absent ? 'user' : 'agent';
  return present && value !== false && value !== '' ? 'agent' : 'user';
}
