import { describe, expect, it } from '@jest/globals';
import { BackendFailure, BackendRejected, toProblem } from '../../lambda/core/errors.js';
import { KeyedHash } from '../../lambda/core/keyed-hash.js';
import { deriveDataprocIds, InvalidGatewayJobId } from '../../lambda/adapters/dataproc/ids.js';
import { describeFailure, parseRetryAfter, toBackendError } from '../../lambda/adapters/dataproc/errors.js';
import { GoogleCredentialsError } from '../../lambda/adapters/google/credential-errors.js';
import { gatewayLabels, mergeLabels, sanitizeLabelKey, sanitizeLabelValue } from '../../lambda/adapters/dataproc/labels.js';
import { batchState, jobState } from '../../lambda/adapters/dataproc/status.js';
import { BATCH_ID, JOB_ID, REQUEST_ID } from '../../local/emulators/dataproc/validation.js';
import type { Template } from '../../contract/template.js';

const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

describe('deriveDataprocIds', () => {
  it('uses a gateway job id as it is when it already fits every Dataproc rule', () => {
    expect(deriveDataprocIds('job-01hzx3k9q7m2v8c4n6p0r5t1wy')).toEqual({
      jobId: 'job-01hzx3k9q7m2v8c4n6p0r5t1wy',
      requestId: 'job-01hzx3k9q7m2v8c4n6p0r5t1wy',
      batchId: 'job-01hzx3k9q7m2v8c4n6p0r5t1wy',
    });
  });

  it.each([
    ['the shortest id', 'abcd'],
    ['exactly 40 characters', `job-${'a'.repeat(36)}`],
    ['41 characters', `job-${'a'.repeat(37)}`],
    ['the longest id (60)', `job-${'z'.repeat(56)}`],
    ['a leading digit', '1234-job'],
    ['a leading hyphen', '-job-x'],
    ['a trailing hyphen', 'job-x-'],
    ['only hyphens', '----'],
  ])('keeps every derived id within Dataproc rules for %s', (_what, id) => {
    const ids = deriveDataprocIds(id);
    expect(ids.jobId).toMatch(JOB_ID);
    expect(ids.requestId).toMatch(REQUEST_ID);
    expect(ids.batchId).toMatch(BATCH_ID);
    expect(ids.batchId).toMatch(/^[a-z][a-z0-9-]{2,61}[a-z0-9]$/);
    expect(deriveDataprocIds(id)).toEqual(ids);
  });

  it('gives different request ids to long ids that share their first 40 characters', () => {
    const prefix = `job-${'a'.repeat(40)}`;
    const a = deriveDataprocIds(`${prefix}-one`);
    const b = deriveDataprocIds(`${prefix}-two`);
    expect(a.requestId).toHaveLength(40);
    expect(a.requestId.startsWith(prefix.slice(0, 23))).toBe(true);
    expect(a.requestId).not.toBe(b.requestId);
  });

  it('gives different batch ids to ids that need hashing', () => {
    expect(deriveDataprocIds('1-job').batchId).not.toBe(deriveDataprocIds('2-job').batchId);
  });

  it.each([['abc'], ['x'.repeat(61)], ['Job-abcd'], ['job_abcd'], ['job.abcd'], ['']])('refuses the invalid gateway id %j', (id) => {
    expect(() => deriveDataprocIds(id)).toThrow(InvalidGatewayJobId);
  });
});

describe('Dataproc labels', () => {
  const template = { id: 'daily-sales-etl' } as Template;
  const principal = { issuer: 'https://idp.example.com', subject: 'alice', groups: [], kind: 'user', scopes: [] } as const;

  it('labels a workload with its template, keyed principal tag and gateway job id', () => {
    const principalTag = new KeyedHash('k'.repeat(64)).principalTag(principal);
    expect(gatewayLabels({ jobId: 'job-abc123', template, principalTag })).toEqual({
      'gateway-template': 'daily-sales-etl',
      'gateway-principal': principalTag,
      'gateway-job-id': 'job-abc123',
    });
    expect(principalTag).toMatch(/^[0-9a-f]{16}$/);
  });

  it.each([
    ['Daily Sales ETL', 'daily-sales-etl'],
    ['données', 'donnees'],
    ['a.b/c@d', 'a-b-c-d'],
    ['x'.repeat(80), 'x'.repeat(63)],
    ['', ''],
  ])('sanitizes the value %j to %j', (raw, clean) => {
    expect(sanitizeLabelValue(raw)).toBe(clean);
    expect(sanitizeLabelValue(raw)).toMatch(LABEL_VALUE);
  });

  it.each([
    ['Team', 'team'],
    ['1st', 'k1st'],
    ['_x', 'k_x'],
    ['', 'k'],
    ['9'.repeat(70), `k${'9'.repeat(62)}`],
  ])('sanitizes the key %j to %j', (raw, clean) => {
    expect(sanitizeLabelKey(raw)).toBe(clean);
    expect(sanitizeLabelKey(raw)).toMatch(LABEL_KEY);
  });

  it('merges template labels under the gateway labels, which win a clash', () => {
    const merged = mergeLabels({ Team: 'Sales', 'gateway-job-id': 'spoofed', cost_center: 42 }, { 'gateway-job-id': 'job-real' });
    expect(merged).toEqual({ team: 'sales', cost_center: '42', 'gateway-job-id': 'job-real' });
  });
});

describe('Dataproc status mapping', () => {
  it.each([
    ['PENDING', 'QUEUED'],
    ['SETUP_DONE', 'QUEUED'],
    ['RUNNING', 'RUNNING'],
    ['DONE', 'SUCCEEDED'],
    ['ERROR', 'FAILED'],
    ['ATTEMPT_FAILURE', 'FAILED'],
    ['CANCEL_PENDING', 'CANCELLING'],
    ['CANCEL_STARTED', 'CANCELLING'],
    ['CANCELLED', 'CANCELLED'],
    ['SOMETHING_NEW', 'QUEUED'],
  ])('maps job state %s to %s', (state, status) => {
    expect(jobState({ status: { state } })).toEqual({ status, backendStatus: state });
  });

  it('keeps the job status details as the message', () => {
    expect(jobState({ status: { state: 'ERROR', details: 'Driver exited with code 1' } })).toEqual({
      status: 'FAILED',
      backendStatus: 'ERROR',
      message: 'Driver exited with code 1',
    });
  });

  it.each([
    ['PENDING', 'QUEUED'],
    ['RUNNING', 'RUNNING'],
    ['SUCCEEDED', 'SUCCEEDED'],
    ['FAILED', 'FAILED'],
    ['CANCELLING', 'CANCELLING'],
    ['CANCELLED', 'CANCELLED'],
  ])('maps batch state %s to %s', (state, status) => {
    expect(batchState({ state, stateMessage: 'why' })).toEqual({ status, backendStatus: state, message: 'why' });
  });
});

describe('Dataproc error mapping', () => {
  const ORIGIN = 'https://dataproc.googleapis.com';
  const SECRET = 'ya29.super-secret-access-token';
  /** Shaped like a GaxiosError: it carries the request config, Authorization header included. */
  const gaxiosError = (status: number | undefined, body?: unknown, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(`request failed with ${SECRET}`), {
      config: { url: `${ORIGIN}/v1/projects/p/regions/r/jobs:submit`, headers: { Authorization: `Bearer ${SECRET}` } },
      ...(status === undefined ? {} : { response: { status, data: body, headers: new Headers(extra.headers as Record<string, string> | undefined) } }),
      ...extra,
    });
  const google = (code: number, status: string, message = 'something happened') => ({ error: { code, status, message } });
  const map = (err: unknown) => toBackendError(describeFailure(err, ORIGIN), 'jobs.submit');

  it('turns 429 RESOURCE_EXHAUSTED into 503 with the server Retry-After', () => {
    const err = map(gaxiosError(429, google(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded'), { headers: { 'retry-after': '7' } }));
    expect(err).toBeInstanceOf(BackendFailure);
    expect(err.status).toBe(503);
    expect(err.backendCode).toBe('RESOURCE_EXHAUSTED');
    expect(err.headers['Retry-After']).toBe('7');
    expect(err.message).toContain('Quota exceeded');
  });

  it('gives a throttled answer without Retry-After a default one', () => {
    expect(map(gaxiosError(429, google(429, 'RESOURCE_EXHAUSTED'))).headers['Retry-After']).toEqual(expect.stringMatching(/^\d+$/));
  });

  it.each([
    [500, 'INTERNAL', 503],
    [503, 'UNAVAILABLE', 503],
    [504, 'DEADLINE_EXCEEDED', 504],
  ])('turns HTTP %i %s into %i', (httpStatus, googleStatus, status) => {
    const err = map(gaxiosError(httpStatus, google(httpStatus, googleStatus)));
    expect(err).toBeInstanceOf(BackendFailure);
    expect(err.status).toBe(status);
    expect(err.backendCode).toBe(googleStatus);
  });

  it.each([
    ['ECONNRESET', 504],
    ['TimeoutError', 504],
    ['ECONNREFUSED', 503],
  ])('turns a transport %s into %i', (code, status) => {
    const err = map(gaxiosError(undefined, undefined, { code }));
    expect(err.status).toBe(status);
  });

  it('finds a reset deep in the cause chain', () => {
    const err = map(gaxiosError(undefined, undefined, { cause: new TypeError('fetch failed', { cause: Object.assign(new Error('socket'), { code: 'ECONNRESET' }) }) }));
    expect(err).toMatchObject({ status: 504, backendCode: 'ECONNRESET' });
  });

  it("turns other 4xx into BackendRejected with Google's status", () => {
    const err = map(gaxiosError(400, google(400, 'INVALID_ARGUMENT', 'Cluster name is required')));
    expect(err).toBeInstanceOf(BackendRejected);
    expect(err.backendCode).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe('Dataproc jobs.submit failed: HTTP 400 INVALID_ARGUMENT: Cluster name is required');
  });

  it('treats 401/403 from Dataproc as our credentials failing, not the caller', () => {
    const err = map(gaxiosError(403, google(403, 'PERMISSION_DENIED')));
    expect(err).toBeInstanceOf(BackendFailure);
    expect(err).toMatchObject({ status: 502, backendCode: 'PERMISSION_DENIED' });
  });

  it('tells a failed token exchange apart from a Dataproc answer', () => {
    const sts = Object.assign(gaxiosError(400, { error: 'invalid_grant', error_description: 'bad subject token' }), {
      config: { url: 'https://sts.googleapis.com/v1/token', headers: { Authorization: `Bearer ${SECRET}` } },
    });
    expect(map(sts)).toMatchObject({ status: 502, backendCode: 'CREDENTIALS' });
  });

  it.each([
    [true, 503],
    [false, 502],
  ])('turns a credential failure (retryable: %s) into %i CREDENTIALS', (retryable, status) => {
    const err = map(new GoogleCredentialsError('etl@p.iam.gserviceaccount.com', 'impersonation', 'PERMISSION_DENIED', retryable, 'iamcredentials said no'));
    expect(err).toBeInstanceOf(BackendFailure);
    expect(err).toMatchObject({ status, backendCode: 'CREDENTIALS' });
    expect(err.message).toContain('etl@p.iam.gserviceaccount.com (impersonation, PERMISSION_DENIED)');
  });

  it('never lets the token or request headers into the message, problem body or cause', () => {
    for (const raw of [gaxiosError(500, google(500, 'INTERNAL')), gaxiosError(undefined, undefined, { code: 'ECONNRESET' }), gaxiosError(400, google(400, 'INVALID_ARGUMENT'))]) {
      const err = map(raw);
      const everything = JSON.stringify({ message: err.message, problem: toProblem(err, 'req-1'), cause: err.cause, causeMessage: (err.cause as Error).message });
      expect(everything).not.toContain(SECRET);
      expect(everything).not.toContain('Authorization');
      expect(err.cause).not.toBe(raw);
    }
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('12')).toBe(12);
    expect(parseRetryAfter(new Date(Date.parse('2026-01-01T00:00:30Z')).toUTCString(), Date.parse('2026-01-01T00:00:00Z'))).toBe(30);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
