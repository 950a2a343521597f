import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnKey } from 'aws-cdk-lib/aws-kms';
import { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import { GatewaySecrets } from '../../lib/constructs/secrets.js';
import { TEST_ENV, testApp } from './fixtures.js';

const newStack = () => new Stack(testApp(), 'Test', { env: TEST_ENV });
const reader = (stack: Stack) => new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });

describe('GatewaySecrets', () => {
  it('creates the Databricks secret under a rotating customer key and names it for the functions', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const secrets = new GatewaySecrets(stack, 'Secrets', { databricks: { type: 'pat' } });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SecretsKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(Object.keys(secrets.environment)).toEqual(['DATABRICKS_SECRET_ID']);
    expect(stack.resolve(secrets.environment.DATABRICKS_SECRET_ID)).toEqual({ Ref: expect.stringMatching(/^SecretsDatabricks/) });
  });

  it('starts every secret it creates with the generated placeholder the rotation function recognises (lambda/rotation/placeholder.ts)', () => {
    const stack = newStack();
    new GatewaySecrets(stack, 'Secrets', { databricks: { type: 'pat' }, googleServiceAccountKey: {} });
    // GenerateSecretString with no settings: 32 characters, never JSON. Changing it would regenerate deployed secrets' values.
    const secrets = Template.fromStack(stack).findResources('AWS::SecretsManager::Secret');
    for (const s of Object.values(secrets)) {
      expect(s.Properties.GenerateSecretString).toEqual({});
      expect(s.Properties.SecretString).toBeUndefined();
    }
  });

  it('adds the Google service-account key secret only in service-account-key mode', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const secrets = new GatewaySecrets(stack, 'Secrets', { databricks: { type: 'oauth-m2m' }, googleServiceAccountKey: {} });

    // THEN
    Template.fromStack(stack).resourceCountIs('AWS::SecretsManager::Secret', 2);
    expect(Object.keys(secrets.environment).sort()).toEqual(['DATABRICKS_SECRET_ID', 'GOOGLE_KEY_SECRET_ID']);
  });

  it('creates no secret and no key when no backend needs a credential (Dataproc with Workload Identity)', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const secrets = new GatewaySecrets(stack, 'Secrets', {});

    // THEN (an empty stack has no template to inspect, so look at the construct tree)
    expect(stack.node.findAll().filter((c) => c instanceof CfnSecret || c instanceof CfnKey)).toEqual([]);
    expect(secrets.key).toBeUndefined();
    expect(secrets.environment).toEqual({});
  });

  it('uses an existing secret by name, reading it by that name', () => {
    // GIVEN
    const stack = newStack();
    const secrets = new GatewaySecrets(stack, 'Secrets', { databricks: { type: 'pat', secretName: 'platform/databricks' } });

    // WHEN
    secrets.grantRead(reader(stack));

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(secrets.environment).toEqual({ DATABRICKS_SECRET_ID: 'platform/databricks' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            // sorted by @aws-cdk/aws-iam:minimizePolicies; a literal ARN under @aws-cdk/core:enablePartitionLiterals (cdk.json)
            Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
            Resource: Match.stringLikeRegexp('^arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/databricks-\\?\\?\\?\\?\\?\\?$'),
          }),
        ],
      },
    });
  });

  it('lets only the grantee decrypt, through Secrets Manager', () => {
    // GIVEN
    const stack = newStack();
    const secrets = new GatewaySecrets(stack, 'Secrets', { databricks: { type: 'pat' } });

    // WHEN
    secrets.grantRead(reader(stack));

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'kms:Decrypt',
            Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Reader'), 'Arn'] } },
            Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
          }),
        ]),
      },
    });
  });

  it('marks every credential rotatable: a Databricks token or OAuth secret expires, a Google key does not', () => {
    // GIVEN / WHEN
    const pat = new GatewaySecrets(newStack(), 'Secrets', { databricks: { type: 'pat' }, googleServiceAccountKey: {} });
    const oauth = new GatewaySecrets(newStack(), 'Secrets', { databricks: { type: 'oauth-m2m' } });

    // THEN
    expect(pat.rotatable.map((s) => [s.id, s.rotation])).toEqual([
      ['Databricks', 'expiring'],
      ['GoogleServiceAccountKey', 'permanent'],
    ]);
    expect(oauth.rotatable.map((s) => [s.id, s.rotation])).toEqual([['Databricks', 'expiring']]);
  });

  it('explains why each unrotated secret it created has no schedule', () => {
    // GIVEN an OAuth secret and a Google key, with rotation switched off
    const stack = newStack();
    const secrets = new GatewaySecrets(stack, 'Secrets', { databricks: { type: 'oauth-m2m' }, googleServiceAccountKey: {} });

    // WHEN
    secrets.acknowledgeUnrotated([], 'rotation is off in this test config, so nothing rotates these secrets.');

    // THEN
    const reasons = secrets.all.map((s) => JSON.stringify(s.secret.node.metadata.map((m) => m.data)));
    expect(reasons[0]).toContain('rotation is off in this test config');
    expect(reasons[1]).toContain('rotation is off in this test config');
  });
});
