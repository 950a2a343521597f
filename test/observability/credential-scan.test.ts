// Credential shapes: what the suite-wide log guard looks for, and whether the audit log's data protection policy
// (lib/constructs/audit-log.ts) would mask the same credentials in CloudWatch.
import { describe, expect, test } from '@jest/globals';
import { CREDENTIAL_PATTERNS, MANAGED_CREDENTIAL_IDENTIFIERS } from '../../lib/constructs/audit-log.js';
import { findCredentials, redactCredentials, type CredentialKind } from '../../contract/credentials.js';

// Built from parts so that no credential-shaped literal sits in the source.
const hex32 = 'f21ee53d2b3648c2a1ed38953312a203';
const jwt = ['eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0', 'eyJzdWIiOiJhbGljZSIsImV4cCI6MTcwMDAwMDAwMH0', 'c2lnbmF0dXJlLW9mLWF0LWxlYXN0LTE2LWNoYXJz'].join('.');
const SAMPLES: Record<Exclude<CredentialKind, 'known-secret'>, string> = {
  jwt: `{"token":"${jwt}"}`,
  'databricks-token': `token=dapi${hex32}-3`,
  'databricks-oauth-secret': `client_secret=dose${hex32}`,
  'bearer-header': `Authorization: Bearer ${'abcDEF0123456789'.repeat(2)}`,
  'basic-header': `authorization: Basic ${Buffer.from('sp-client:very-secret-value').toString('base64')}`,
  'private-key': `"private_key": "-----BEGIN ${'PRIVATE'} KEY-----\\nMIIEv..."`,
  'google-access-token': `access_token=ya29.${'a0AfH6SMB'.repeat(3)}`,
  'aws-secret-key': `aws_secret_access_key = ${'wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYEXAMPLEKEY'}`,
};

describe('findCredentials', () => {
  test.each(Object.entries(SAMPLES))('finds a %s', (kind, text) => {
    expect(findCredentials(text).map((f) => f.kind)).toContain(kind);
  });

  test.each([
    ['a job id', 'job-teistb3pq24fdhtky4abvluak2'],
    ['a SHA-256 digest', 'a'.repeat(64)],
    ['a WWW-Authenticate challenge', 'WWW-Authenticate: Bearer realm="data-job-gateway", error="invalid_token"'],
    ['the words "bearer token"', 'missing bearer token in the Authorization header'],
    ['a local Databricks PAT stand-in', 'dapi-local-0000'],
    ['a masked parameter', '{"password":"***"}'],
  ])('leaves %s alone', (_, text) => {
    expect(findCredentials(text)).toEqual([]);
  });

  test('finds known secrets by value, wherever they are', () => {
    expect(findCredentials('secret=local-gateway-secret;', ['local-gateway-secret'])).toEqual([{ kind: 'known-secret', index: 7, length: 20 }]);
  });

  test('redactCredentials hides each credential and keeps the rest', () => {
    expect(redactCredentials(`a ${SAMPLES.jwt} b dapi${hex32} c`)).toBe('a {"token":"[REDACTED:jwt]"} b [REDACTED:databricks-token] c');
  });
});

describe('the audit log data protection policy', () => {
  // CloudWatch custom data identifiers are regular expressions; the subset it allows reads the same in JavaScript.
  const masks = (text: string) => Object.values(CREDENTIAL_PATTERNS).some((p) => new RegExp(p).test(text));
  const managed = MANAGED_CREDENTIAL_IDENTIFIERS.map((d) => d.name);

  test.each(['jwt', 'databricks-token', 'bearer-header', 'google-access-token'] as const)('masks a %s with a custom data identifier', (kind) => {
    expect(masks(SAMPLES[kind])).toBe(true);
  });

  test('leaves private keys and AWS secret keys to CloudWatch managed identifiers', () => {
    expect(managed).toEqual(expect.arrayContaining(['AwsSecretKey', 'PkcsPrivateKey', 'OpenSshPrivateKey']));
  });

  test.each(['databricks-oauth-secret', 'basic-header'] as const)('masks a %s with a custom data identifier', (kind) => {
    expect(masks(SAMPLES[kind])).toBe(true);
  });
});
