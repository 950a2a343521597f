// Principals from verified claims: groups and scopes in the shapes real issuers use, and agent (machine token) detection.
import { parseConfig } from '../../lib/config.js';
import { type IssuerConfig } from '../../contract/settings.js';
import { grantedRouteScopes, listClaim, principalFromClaims, tokenKind } from '../../lambda/authorizer/claims.js';
import { ROUTE_SCOPES } from '../../contract/routes.js';

const issuerConfig = (extra: Record<string, unknown> = {}): IssuerConfig =>
  parseConfig({ auth: { issuers: [{ issuer: 'https://idp.example.com', audience: 'api://gateway', ...extra }] } }).auth.issuers[0]!;

describe('default agent detection', () => {
  it.each<[string, Record<string, unknown>]>([
    ['Okta client credentials: sub equals cid', { sub: '0oa1b2c3', cid: '0oa1b2c3', scp: ['jobs:submit'] }],
    ['Entra ID app token with idtyp app', { sub: 'f1e2', oid: 'f1e2', idtyp: 'app', tid: 't1', roles: ['Jobs.Submit'] }],
    ['Entra ID app token without idtyp: roles and no scp', { sub: 'f1e2', oid: 'f1e2', tid: 't1', roles: ['Jobs.Submit'] }],
    ['Cognito client credentials: sub equals client_id, no username', { sub: '5abc', client_id: '5abc', token_use: 'access', scope: 'gateway/jobs' }],
    ['Auth0 client credentials: gty', { sub: 'x9y8@clients', gty: 'client-credentials' }],
    ['Auth0 client credentials: sub ending in @clients', { sub: 'x9y8@clients' }],
    ['RFC 9068 client credentials (the local provider)', { sub: 'local-agent', client_id: 'local-agent' }],
  ])('%s is an agent', (_name, claims) => {
    expect(tokenKind(claims)).toBe('agent');
  });

  it.each<[string, Record<string, unknown>]>([
    ['Okta user', { sub: '00u1', cid: '0oa1b2c3', uid: '00u1', scp: ['openid'] }],
    ['Entra ID user with delegated scp and app roles', { sub: 'pairwise-1', oid: 'o1', tid: 't1', scp: 'Jobs.Read', roles: ['Analyst'] }],
    ['Cognito user', { sub: 'u-1', client_id: '5abc', username: 'alice', token_use: 'access' }],
    ['Auth0 user', { sub: 'auth0|123', gty: 'password' }],
    ['Auth0 user from the authorization code flow: azp is the client', { sub: 'google-oauth2|42', azp: 'Xy12' }],
    ['Entra ID user token with idtyp user', { sub: 'pairwise-1', tid: 't1', idtyp: 'user' }],
    ['RFC 9068 user token (the local provider): client_id is not the subject', { sub: 'alice', client_id: 'local-dev' }],
  ])('%s is a user', (_name, claims) => {
    expect(tokenKind(claims)).toBe('user');
  });

  it.each<[string, Record<string, unknown>]>([
    ['a token with roles from a non-Entra issuer and nothing else', { sub: 'alice', roles: ['admin'] }],
    ['an Entra ID token with neither scp, roles nor idtyp', { sub: 'f1e2', tid: 't1' }],
    ['a bare token from an unknown issuer', { sub: 'svc-42', email: 'svc@example.com' }],
    ['a token without sub', { client_id: 'x' }],
  ])('%s is of unknown kind (barred from templates with allowAgents: false)', (_name, claims) => {
    expect(tokenKind(claims)).toBe('unknown');
  });
});

describe('configured agent rule', () => {
  it('values: agent when the claim has one of the values, user with another, unknown without the claim', () => {
    const rule = { claim: 'azpacr', values: ['1', '2'] };
    expect(tokenKind({ sub: 'a', azpacr: '1' }, rule)).toBe('agent');
    expect(tokenKind({ sub: 'a', azpacr: '2' }, rule)).toBe('agent');
    expect(tokenKind({ sub: 'a', azpacr: '0' }, rule)).toBe('user');
    expect(tokenKind({ sub: 'a' }, rule)).toBe('unknown');
  });

  it('values match booleans exactly, and any element of a list claim', () => {
    expect(tokenKind({ sub: 'a', machine: true }, { claim: 'machine', values: [true] })).toBe('agent');
    expect(tokenKind({ sub: 'a', machine: 'true' }, { claim: 'machine', values: [true] })).toBe('user');
    expect(tokenKind({ sub: 'a', amr: ['mfa', 'client'] }, { claim: 'amr', values: ['client'] })).toBe('agent');
  });

  it('absent: agent when the claim is missing (e.g. no email means no human)', () => {
    expect(tokenKind({ sub: 'a' }, { claim: 'email', absent: true })).toBe('agent');
    expect(tokenKind({ sub: 'a', email: 'a@example.com' }, { claim: 'email', absent: true })).toBe('user');
  });

  it('claim only: agent when the claim is present and not false or empty', () => {
    expect(tokenKind({ sub: 'a', is_service: 'yes' }, { claim: 'is_service' })).toBe('agent');
    expect(tokenKind({ sub: 'a', is_service: false }, { claim: 'is_service' })).toBe('user');
  });

  it('replaces the default rule', () => {
    expect(tokenKind({ sub: 'x', cid: 'x' }, { claim: 'never-present' })).toBe('user');
  });

  it('comes from the issuer entry', () => {
    const issuer = issuerConfig({ agentRule: { claim: 'sub_type', values: ['client'] } });
    expect(principalFromClaims(issuer, { sub: 's', sub_type: 'client' }).kind).toBe('agent');
    expect(principalFromClaims(issuer, { sub: 's' }).kind).toBe('unknown');
  });
});

describe('trusted groups', () => {
  it('keeps only the groups the issuer may assert', () => {
    const partner = issuerConfig({ trustedGroups: ['partner-analysts'] });
    expect(principalFromClaims(partner, { sub: 's', groups: ['partner-analysts', 'data-platform-admins'] }).groups).toEqual(['partner-analysts']);
  });

  it('keeps every group of an issuer trusted for "*" (the default for a lone issuer)', () => {
    expect(principalFromClaims(issuerConfig(), { sub: 's', groups: ['a', 'data-platform-admins'] }).groups).toEqual(['a', 'data-platform-admins']);
  });
});

describe('route scopes', () => {
  it('grants every route scope when the issuer maps none (no scope is checked)', () => {
    expect(grantedRouteScopes({}, [])).toEqual([...ROUTE_SCOPES]);
  });

  it('translates the token\'s own scope names through the mapping; unmapped route scopes are never granted', () => {
    const scopes = { 'jobs:read': ['okta.jobs.read', 'jobs'], 'jobs:submit': ['okta.jobs.submit'] };
    expect(grantedRouteScopes({ scopes }, ['jobs'])).toEqual(['jobs:read']);
    expect(grantedRouteScopes({ scopes }, ['okta.jobs.submit', 'okta.jobs.read', 'admin'])).toEqual(['jobs:read', 'jobs:submit']);
    expect(grantedRouteScopes({ scopes }, ['jobs:read'])).toEqual([]);
  });
});

describe('groups and scopes', () => {
  it('reads groups from the configured claim, an array or a single string', () => {
    expect(listClaim({ groups: ['a', 'b', 'a'] }, 'groups', 'one')).toEqual(['a', 'b']);
    expect(listClaim({ 'cognito:groups': 'Data Engineers' }, 'cognito:groups', 'one')).toEqual(['Data Engineers']);
    expect(listClaim({}, 'groups', 'one')).toEqual([]);
  });

  it('splits a scope string on spaces and takes an array as it is', () => {
    expect(listClaim({ scope: 'jobs:read  jobs:submit' }, 'scope', 'space-separated')).toEqual(['jobs:read', 'jobs:submit']);
    expect(listClaim({ scp: ['Jobs.Read'] }, 'scp', 'space-separated')).toEqual(['Jobs.Read']);
  });

  it('does not read a claim from the prototype chain', () => {
    expect(listClaim({}, 'toString', 'one')).toEqual([]);
  });

  it.each([[42], [{ a: 1 }], [['ok', 7]]])('refuses a list claim shaped %j', (value) => {
    expect(() => listClaim({ groups: value }, 'groups', 'one')).toThrow(expect.objectContaining({ reason: 'malformed' }));
  });

  it('builds an Entra ID principal from roles and scp', () => {
    const entra = issuerConfig({ groupsClaim: 'roles', scopeClaim: 'scp', scopes: { 'jobs:read': ['Jobs.Read'], 'jobs:submit': ['Jobs.Submit'] } });
    expect(principalFromClaims(entra, { sub: 'pairwise-1', tid: 't1', roles: ['Analyst'], scp: 'Jobs.Read Jobs.Submit' })).toEqual({
      issuer: 'https://idp.example.com',
      subject: 'pairwise-1',
      groups: ['Analyst'],
      kind: 'user',
      scopes: ['jobs:read', 'jobs:submit'],
    });
  });

  it('refuses a token without a subject', () => {
    expect(() => principalFromClaims(issuerConfig(), { sub: '' })).toThrow(expect.objectContaining({ reason: 'missing_subject' }));
  });
});
