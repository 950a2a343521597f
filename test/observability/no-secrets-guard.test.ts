// The suite-wide log guard (test/setup/no-secrets-in-logs.ts), proved on two small test files run by a real jest.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from '@jest/globals';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface JestFileResult {
  readonly name: string;
  readonly status: string;
  readonly message: string;
}

let results: JestFileResult[];

beforeAll(async () => {
  const report = join(mkdtempSync(join(tmpdir(), 'djg-guard-')), 'results.json');
  const args = [
    '--experimental-vm-modules',
    '--no-warnings=ExperimentalWarning',
    'node_modules/jest/bin/jest.js',
    '--setupFilesAfterEnv',
    '<rootDir>/test/setup/no-secrets-in-logs.ts',
    '--testMatch',
    '**/test/observability/guard-fixtures/*.fixture.ts',
    '--json',
    '--outputFile',
    report,
  ];
  // jest exits 1 when a file fails: that is the expected outcome here
  await promisify(execFile)(process.execPath, args, { cwd: ROOT, maxBuffer: 10_000_000 }).catch(() => undefined);
  results = (JSON.parse(readFileSync(report, 'utf8')) as { testResults: JestFileResult[] }).testResults;
}, 60_000);

const resultOf = (file: string) => results.find((r) => r.name.endsWith(file))!;

describe('the no-secrets-in-logs guard', () => {
  test('fails a test file that logs a token, naming the test and the credential kind', () => {
    const leaky = resultOf('leaky.fixture.ts');
    expect(leaky.status).toBe('failed');
    expect(leaky.message).toContain('a credential appeared in a log line');
    expect(leaky.message).toMatch(/logs a token through console wrote (jwt, bearer-header|bearer-header, jwt) to console\.log/);
    expect(leaky.message).not.toMatch(/logs a token through console wrote .* to stdout/);
    expect(leaky.message).toContain('logs a Databricks token through Powertools Logger wrote databricks-token to stdout');
  });

  test('never repeats the credential in its report', () => {
    const { message } = resultOf('leaky.fixture.ts');
    expect(message).toContain("authorization: '[REDACTED:bearer-header]'");
    expect(message).toContain('"token":"[REDACTED:databricks-token]"');
    expect(message).not.toMatch(/eyJhbGciOiJSUzI1NiJ9\./);
    expect(message).not.toContain(`dapi${'0123456789abcdef'.repeat(2)}`);
  });

  test('passes a test file whose logs are clean', () => {
    expect(resultOf('clean.fixture.ts').status).toBe('passed');
  });
});
