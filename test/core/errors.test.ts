import { BackendFailure, BackendRejected, IdempotencyConflict, ParameterValidationFailed, TemplateNotFound, TokenRefused, TooManyRequests, toProblem } from '../../lambda/core/errors.js';
import { REFUSAL_DESCRIPTIONS, type RefusedTokenReason } from '../../contract/denials.js';
import { fromAuthorizerContext, toAuthorizerContext } from '../../lambda/core/principal.js';

describe('problem+json mapping', () => {
  it('maps named errors to their status, type and detail with the request id', () => {
    const p = toProblem(new TemplateNotFound('no template named "x"'), 'req-1');
    expect(p.status).toBe(404);
    expect(p.problem).toEqual({ type: 'https://data-job-gateway.dev/problems/template-not-found', title: 'Unknown template', status: 404, detail: 'no template named "x"', requestId: 'req-1' });
  });
  it('lists one entry per bad field for 422', () => {
    const p = toProblem(new ParameterValidationFailed([{ pointer: '/parameters/a', detail: 'is required' }]), 'r');
    expect(p.status).toBe(422);
    expect(p.problem.errors).toEqual([{ pointer: '/parameters/a', detail: 'is required' }]);
  });
  it('sets Retry-After on 429 and on throttled backends', () => {
    expect(toProblem(new TooManyRequests('slow down', 2.2), 'r').headers).toEqual({ 'Retry-After': '3' });
    const b = toProblem(new BackendFailure('databricks', 503, 'TEMPORARILY_UNAVAILABLE', 'busy', { retryAfterSeconds: 5 }), 'r');
    expect(b.status).toBe(503);
    expect(b.headers['Retry-After']).toBe('5');
    expect(b.problem.backendCode).toBe('TEMPORARILY_UNAVAILABLE');
  });
  it('hides everything about an unknown error', () => {
    const err = new Error('connect to https://user:hunter2@db failed');
    const p = toProblem(err, 'req-9');
    expect(p.status).toBe(500);
    expect(JSON.stringify(p.problem)).not.toContain('hunter2');
    expect(JSON.stringify(p.problem)).not.toContain('stack');
    expect(p.problem.detail).toContain('req-9');
  });
  it.each([
    ['a backend failure', new BackendFailure('databricks', 502, 'CREDENTIALS', 'no Databricks credentials for runs/submit: secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:data-job-gateway/databricks-AbCdEf is unreadable at https://adb-1234567890123456.7.azuredatabricks.net'), 'the databricks backend failed (CREDENTIALS)'],
    ['a backend rejection', new BackendRejected('dataproc', 'PERMISSION_DENIED', 'Permission iam.serviceAccounts.actAs denied on churn-features@acme-data.iam.gserviceaccount.com'), 'the dataproc backend failed (PERMISSION_DENIED)'],
  ])('shows the caller of %s the backend, its code and the request id, never our message', (_, err, shown) => {
    const p = toProblem(err, 'req-77');
    expect(p.problem.detail).toBe(`${shown}; quote request id req-77 to the platform team, who can read the details in the audit log`);
    expect(JSON.stringify(p.problem)).not.toMatch(/arn:aws|azuredatabricks|gserviceaccount|secret/);
    expect(p.problem).toMatchObject({ backend: expect.any(String), backendCode: expect.any(String), requestId: 'req-77' });
  });
  it('keeps the cause of a named error for the logs', () => {
    const cause = new Error('socket hang up');
    expect(new BackendFailure('dataproc', 504, 'DEADLINE_EXCEEDED', 'timed out', { cause }).cause).toBe(cause);
  });
  it('uses 409 for a reused idempotency key', () => {
    expect(toProblem(new IdempotencyConflict('x'), 'r').status).toBe(409);
  });
});

describe('authorizer context', () => {
  const principal = { issuer: 'https://idp', subject: 'alice', groups: ['a', 'b'], kind: 'user' as const, scopes: ['jobs'] };
  it('round-trips a principal through string-only context values', () => {
    const ctx = toAuthorizerContext(principal);
    expect(Object.values(ctx).every((v) => typeof v === 'string')).toBe(true);
    expect(fromAuthorizerContext(ctx)).toEqual(principal);
  });
  it.each([
    ['no context', undefined],
    ['no subject', { issuer: 'i', kind: 'user', groups: '[]', scopes: '[]' }],
    ['a bad kind', { issuer: 'i', subject: 's', kind: 'root', groups: '[]', scopes: '[]' }],
    ['groups that are not JSON', { issuer: 'i', subject: 's', kind: 'user', groups: 'admins', scopes: '[]' }],
    ['groups that are not strings', { issuer: 'i', subject: 's', kind: 'user', groups: '[1]', scopes: '[]' }],
  ])('treats %s as no identity', (_, ctx) => {
    expect(fromAuthorizerContext(ctx as Record<string, unknown> | undefined)).toBeUndefined();
  });
});

describe('a refused token', () => {
  it.each(Object.keys(REFUSAL_DESCRIPTIONS) as RefusedTokenReason[])('%s: says which check failed, in characters RFC 6750 allows in error_description', (reason) => {
    const { status, headers, problem } = toProblem(new TokenRefused(reason), 'req-1');
    expect(status).toBe(401);
    expect(problem).toMatchObject({ type: 'https://data-job-gateway.dev/problems/unauthenticated', reason, detail: REFUSAL_DESCRIPTIONS[reason] });
    // RFC 6750 section 3: error_description is %x20-21 / %x23-5B / %x5D-7E
    expect(REFUSAL_DESCRIPTIONS[reason]).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]+$/);
    const challenge = reason === 'missing_token' || reason === 'wrong_scheme' ? 'Bearer' : `Bearer error="invalid_token", error_description="${REFUSAL_DESCRIPTIONS[reason]}"`;
    expect(headers['WWW-Authenticate']).toBe(challenge);
  });
});
