// Who may do what: groups → templates, agents, auditors and admins. Pure functions of the principal and the config.
import type { Principal } from './principal.js';
import { principalKey } from './principal.js';
import type { Template } from '../../contract/template.js';

export interface AccessPolicy {
  readonly auditorGroups: readonly string[];
  readonly adminGroups: readonly string[];
}

const inAny = (p: Principal, groups: readonly string[]) => p.groups.some((g) => groups.includes(g));

export type RunDecision = { allowed: true } | { allowed: false; reason: 'group_not_allowed' | 'agents_not_allowed' | 'kind_unknown' };

/**
 * May this principal run this template? Agents need the template's `allowAgents` as well as a group, and so does a
 * token whose kind could not be determined: a template that bars agents admits only tokens known to be users.
 */
export function mayRun(p: Principal, t: Template): RunDecision {
  if (!inAny(p, t.allowedGroups)) return { allowed: false, reason: 'group_not_allowed' };
  if (p.kind !== 'user' && !t.allowAgents) return { allowed: false, reason: p.kind === 'agent' ? 'agents_not_allowed' : 'kind_unknown' };
  return { allowed: true };
}

export const isAdmin = (p: Principal, a: AccessPolicy) => inAny(p, a.adminGroups);
export const isAuditor = (p: Principal, a: AccessPolicy) => inAny(p, a.auditorGroups) || isAdmin(p, a);

/** Templates are visible to those who may run them. */
export const mayView = (p: Principal, t: Template) => mayRun(p, t).allowed;

const owns = (p: Principal, job: { principalKey: string }) => job.principalKey === principalKey(p);

export const mayRead = (p: Principal, job: { principalKey: string }, a: AccessPolicy) => owns(p, job) || isAuditor(p, a);

export const mayCancel = (p: Principal, job: { principalKey: string }, a: AccessPolicy) => owns(p, job) || isAdmin(p, a);

/** Listing another principal's jobs is for auditors and admins. */
export const mayListOthers = (p: Principal, a: AccessPolicy) => isAuditor(p, a);
