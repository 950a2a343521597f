import { isAdmin, isAuditor, mayCancel, mayListOthers, mayRead, mayRun } from '../../lambda/core/policy.js';
import { principalKey, type Principal } from '../../lambda/core/principal.js';
import type { Template } from '../../contract/template.js';

const template = (over: Partial<Template> = {}): Template =>
  ({ id: 't', description: 'd', backend: 'dataproc', allowedGroups: ['analysts'], allowAgents: false, datasets: [], sensitiveParameters: [], personalParameters: [], parameters: { type: 'object' }, limits: {}, file: 'f', ...over }) as Template;
const who = (groups: string[], kind: 'user' | 'agent' = 'user', subject = 'alice'): Principal => ({ issuer: 'https://idp', subject, groups, kind, scopes: [] });
const access = { auditorGroups: ['audit'], adminGroups: ['platform'] };

describe('policy', () => {
  it('lets a member of an allowed group run the template', () => {
    expect(mayRun(who(['analysts']), template())).toEqual({ allowed: true });
  });
  it('refuses a caller in none of the allowed groups', () => {
    expect(mayRun(who(['marketing']), template())).toEqual({ allowed: false, reason: 'group_not_allowed' });
  });
  it('refuses machine tokens unless the template allows agents', () => {
    expect(mayRun(who(['analysts'], 'agent'), template())).toEqual({ allowed: false, reason: 'agents_not_allowed' });
    expect(mayRun(who(['analysts'], 'agent'), template({ allowAgents: true }))).toEqual({ allowed: true });
  });
  it('does not let admin or auditor groups run templates they are not allowed', () => {
    expect(mayRun(who(['platform', 'audit']), template()).allowed).toBe(false);
  });
  it('lets owners read and cancel their own jobs only', () => {
    const job = { principalKey: principalKey(who([])) };
    expect(mayRead(who([]), job, access)).toBe(true);
    expect(mayCancel(who([]), job, access)).toBe(true);
    expect(mayRead(who([], 'user', 'bob'), job, access)).toBe(false);
    expect(mayCancel(who([], 'user', 'bob'), job, access)).toBe(false);
  });
  it('separates principals by issuer as well as subject', () => {
    const job = { principalKey: principalKey(who([])) };
    expect(mayRead({ ...who([]), issuer: 'https://other-idp' }, job, access)).toBe(false);
  });
  it('lets auditors read and list any job but not cancel it', () => {
    const job = { principalKey: principalKey(who([], 'user', 'bob')) };
    expect(mayRead(who(['audit']), job, access)).toBe(true);
    expect(mayListOthers(who(['audit']), access)).toBe(true);
    expect(mayCancel(who(['audit']), job, access)).toBe(false);
    expect(isAuditor(who(['audit']), access)).toBe(true);
    expect(isAdmin(who(['audit']), access)).toBe(false);
  });
  it('lets admins read, list and cancel any job', () => {
    const job = { principalKey: principalKey(who([], 'user', 'bob')) };
    expect(mayRead(who(['platform']), job, access)).toBe(true);
    expect(mayCancel(who(['platform']), job, access)).toBe(true);
    expect(mayListOthers(who(['platform']), access)).toBe(true);
  });
});
