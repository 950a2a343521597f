// From verified claims to a Principal: groups, scopes and whether the caller is a machine (client-credentials) token.
import type { IssuerConfig } from '../../lib/config.js';
import type { Principal } from '../core/principal.js';
import type { JsonObject } from './compact-jwt.js';
import { TokenRejected } from './denial.js';

export type AgentRule = NonNullable<IssuerConfig['agentRule']>;

export function principalFromClaims(issuer: IssuerConfig, payload: JsonObject): Principal {
  const subject = payload.sub;
  if (typeof subject !== 'string' || !subject) throw new TokenRejected('missing_subject', 'the token has no sub');
  return {
    issuer: issuer.issuer,
    subject,
    groups: listClaim(payload, issuer.groupsClaim, 'one'),
    kind: isAgentToken(payload, issuer.agentRule) ? 'agent' : 'user',
    scopes: listClaim(payload, issuer.scopeClaim, 'space-separated'),
  };
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
 * Is this a machine token? With an `agentRule` the issuer decides; without one, the shapes the big issuers give their
 * client-credentials tokens:
 * - Okta: `sub` equals `cid` (the client id)
 * - Entra ID: `idtyp: app`, or application `roles` with no delegated `scp` (in a token with Entra's `tid`)
 * - Cognito (and RFC 9068 issuers such as the local provider): `sub` equals `client_id`, with no `username`
 * - Auth0: `gty: client-credentials`, or a `sub` ending in `@clients`
 */
export function isAgentToken(payload: JsonObject, rule?: AgentRule): boolean {
  if (rule) return matchesRule(payload, rule);
  const { sub } = payload;
  if (typeof sub !== 'string') return false;
  const okta = typeof payload.cid === 'string' && payload.cid === sub;
  const entra = payload.idtyp === 'app' || (payload.scp === undefined && Array.isArray(payload.roles) && payload.roles.length > 0 && typeof payload.tid === 'string');
  const clientCredentials = typeof payload.client_id === 'string' && payload.client_id === sub && payload.username === undefined;
  const auth0 = payload.gty === 'client-credentials' || sub.endsWith('@clients');
  return okta || entra || clientCredentials || auth0;
}

function matchesRule(payload: JsonObject, rule: AgentRule): boolean {
  const present = Object.hasOwn(payload, rule.claim) && payload[rule.claim] !== undefined && payload[rule.claim] !== null;
  if (rule.equals !== undefined) return present && payload[rule.claim] === rule.equals;
  if (rule.absent !== undefined) return rule.absent ? !present : present;
  return present && payload[rule.claim] !== false && payload[rule.claim] !== '';
}
