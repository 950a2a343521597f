// Run only by no-secrets-guard.test.ts: code under test that logs credentials, which the guard must catch.
import { Logger } from '@aws-lambda-powertools/logger';

const jwt = ['eyJhbGciOiJSUzI1NiJ9', 'eyJzdWIiOiJhbGljZSJ9xx', 'c2lnbmF0dXJlLW9mLWF0LWxlYXN0'].join('.');
const pat = `dapi${'0123456789abcdef'.repeat(2)}`;

test('logs a token through console', () => {
  console.log('calling the API with', { authorization: `Bearer ${jwt}` });
  expect(true).toBe(true);
});

test('logs a Databricks token through Powertools Logger', () => {
  new Logger({ serviceName: 'leaky' }).info('rotated', { token: pat });
  expect(true).toBe(true);
});
