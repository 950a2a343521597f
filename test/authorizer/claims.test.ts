// Principals from verified claims: groups and scopes in the shapes real issuers use, and agent (machine token) detection.
import { parseConfig, type IssuerConfig } from '../../lib/config.js';
import { isAgentToken, listClaim, principalFromClaims } from '../../lambda/authorizer/claims.js';

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
    expect(isAgentToken(claims)).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    ['Okta user', { sub: '00u1', cid: '0oa1b2c3', uid: '00u1', scp: ['openid'] }],
    ['Entra ID user with delegated scp and app roles', { sub: 'pairwise-1', oid: 'o1', tid: 't1', scp: 'Jobs.Read', roles: ['Analyst'] }],
    ['Cognito user', { sub: 'u-1', client_id: '5abc', username: 'alice', token_use: 'access' }],
    ['Auth0 user', { sub: 'auth0|123', gty: 'password' }],
    ['a user whose roles come from a non-Entra issuer', { sub: 'alice', roles: ['admin'] }],
    ['a token without sub', { client_id: 'x' }],
  ])('%s is a user', (_name, claims) => {
    expect(isAgentToken(claims)).toBe(false);
  });
});

describe('configured agent rule', () => {
  it('equals: agent when the claim has the value', () => {
    const rule = { claim: 'azpacr', equals: '1' };
    expect(isAgentToken({ sub: 'a', azpacr: '1' }, rule)).toBe(true);
    expect(isAgentToken({ sub: 'a', azpacr: '0' }, rule)).toBe(false);
  });

  it('equals a boolean', () => {
    expect(isAgentToken({ sub: 'a', machine: true }, { claim: 'machine', equals: true })).toBe(true);
    expect(isAgentToken({ sub: 'a', machine: 'true' }, { claim: 'machine', equals: true })).toBe(false);
  });

  it('absent: agent when the claim is missing (e.g. no email means no human)', () => {
    expect(isAgentToken({ sub: 'a' }, { claim: 'email', absent: true })).toBe(true);
    expect(isAgentToken({ sub: 'a', email: 'a@example.com' }, { claim: 'email', absent: true })).toBe(false);
  });

  it('claim only: agent when the claim is present and not false or empty', () => {
    expect(isAgentToken({ sub: 'a', is_service: 'yes' }, { claim: 'is_service' })).toBe(true);
    expect(isAgentToken({ sub: 'a', is_service: false }, { claim: 'is_service' })).toBe(false);
  });

  it('replaces the default rule', () => {
    expect(isAgentToken({ sub: 'x', cid: 'x' }, { claim: 'never-present' })).toBe(false);
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
    const entra = issuerConfig({ groupsClaim: 'roles', scopeClaim: 'scp' });
    expect(principalFromClaims(entra, { sub: 'pairwise-1', tid: 't1', roles: ['Analyst'], scp: 'Jobs.Read Jobs.Submit' })).toEqual({
      issuer: 'https://idp.example.com',
      subject: 'pairwise-1',
      groups: ['Analyst'],
      kind: 'user',
      scopes: ['Jobs.Read', 'Jobs.Submit'],
    });
  });

  it('refuses a token without a subject', () => {
    expect(() => principalFromClaims(issuerConfig(), { sub: '' })).toThrow(expect.objectContaining({ reason: 'missing_subject' }));
  });
});
