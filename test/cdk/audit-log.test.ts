import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AuditLog, CREDENTIAL_PATTERNS } from '../../lib/constructs/audit-log.js';
import { InvalidSetting } from '../../lib/constructs/invalid-setting.js';
import { TEST_ENV, testApp } from './fixtures.js';

const newStack = () => new Stack(testApp(), 'Test', { env: TEST_ENV });

describe('AuditLog', () => {
  it('keeps the audit log for the configured days, encrypted with a rotating key of the stack, and retained on destroy', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    new AuditLog(stack, 'AuditLog', { retentionDays: 365 });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditLogKey'), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('masks Databricks tokens, bearer tokens, JWTs, private keys and AWS secret keys with a data protection policy', () => {
    // GIVEN / WHEN
    const stack = newStack();
    new AuditLog(stack, 'AuditLog', { retentionDays: 30 });

    // THEN the policy audits and de-identifies every credential identifier
    const policy = Template.fromStack(stack).findResources('AWS::Logs::LogGroup');
    const dpp = Object.values(policy)[0]!.Properties.DataProtectionPolicy;
    expect(dpp.Configuration.CustomDataIdentifier).toEqual(Object.entries(CREDENTIAL_PATTERNS).map(([Name, Regex]) => ({ Name, Regex })));
    const managed = JSON.stringify(dpp.Statement[1].DataIdentifier);
    for (const id of ['AwsSecretKey', 'PkcsPrivateKey', 'OpenSshPrivateKey', 'PgpPrivateKey', 'PuttyPrivateKey']) expect(managed).toContain(`data-identifier/${id}`);
    expect(dpp.Statement.map((s: { Operation: object }) => Object.keys(s.Operation)[0])).toEqual(['Audit', 'Deidentify']);
  });

  it('uses an existing key when the config names one, creating none', () => {
    // GIVEN
    const stack = newStack();
    const arn = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';

    // WHEN
    new AuditLog(stack, 'AuditLog', { retentionDays: 365, kmsKeyArn: arn });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: arn });
  });

  it('fails when the retention is not one CloudWatch Logs offers, naming the field and the value', () => {
    // GIVEN / WHEN / THEN
    expect(() => new AuditLog(newStack(), 'AuditLog', { retentionDays: 366 })).toThrow(InvalidSetting);
    expect(() => new AuditLog(newStack(), 'AuditLog', { retentionDays: 366 })).toThrow(
      /^\/observability\/auditRetentionDays must be a retention CloudWatch Logs offers \(got 366; nearest above is 400;/,
    );
  });

  describe('credential patterns', () => {
    // Fake credentials shaped like real ones.
    const samples: Record<keyof typeof CREDENTIAL_PATTERNS, string> = {
      DatabricksToken: `dapi${'0123456789abcdef'.repeat(2)}`,
      BearerToken: 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345',
      JsonWebToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
      GoogleAccessToken: 'ya29.a0AfH6SMBexampleexampleexample',
      DatabricksOAuthSecret: `client_secret=dose${'0123456789abcdef'.repeat(2)}`,
      BasicAuthHeader: `Authorization: Basic ${Buffer.from('sp-client:very-secret-value').toString('base64')}`,
    };

    it.each(Object.entries(CREDENTIAL_PATTERNS))('%s uses only what CloudWatch custom identifiers allow and matches its credential', (name, regex) => {
      // CloudWatch: at most 200 characters of [a-zA-Z0-9_#=@/;, -] and ^$?[]{}|\*+. (no groups)
      expect(regex.length).toBeLessThanOrEqual(200);
      expect(regex).toMatch(/^[a-zA-Z0-9_#=@/;, \-^$?[\]{}|\\*+.]+$/);
      expect(new RegExp(regex).test(samples[name as keyof typeof CREDENTIAL_PATTERNS])).toBe(true);
      expect(new RegExp(regex).test('job daily-sales-etl submitted by alice for 2024-05-01')).toBe(false);
    });
  });
});
