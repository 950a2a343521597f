import { describe, expect, test } from '@jest/globals';
import { App, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { InvalidRotationSchedule, SecretRotation, type SecretRotationProps } from '../../lib/constructs/rotation.js';
import { CDK_FEATURE_FLAGS } from '../cdk/feature-flags.js';

/** GIVEN a stack with a KMS-encrypted secret and a rotation function. (Its alarms: test/observability/observability.test.ts.) */
function given() {
  const stack = new Stack(new App({ context: { ...CDK_FEATURE_FLAGS } }), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const secret = new Secret(stack, 'Databricks', { encryptionKey: new Key(stack, 'Key') });
  const fn = new LambdaFunction(stack, 'Rotation', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => {}') });
  return { stack, secret, fn };
}

function rotate(patch: Partial<SecretRotationProps> | ((g: ReturnType<typeof given>) => Partial<SecretRotationProps>) = {}) {
  const g = given();
  const extra = typeof patch === 'function' ? patch(g) : patch;
  const rotation = new SecretRotation(g.stack, 'DatabricksRotation', { secret: g.secret, function: g.fn, interval: Duration.days(30), ...extra });
  return { ...g, rotation, template: Template.fromStack(g.stack) };
}

describe('SecretRotation', () => {
  test('schedules rotation every interval with the function, waiting for the schedule', () => {
    // WHEN
    const { template, stack, fn } = rotate();

    // THEN
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Match.stringLikeRegexp('Databricks') },
      RotationLambdaARN: stack.resolve(fn.functionArn),
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: false,
    });
  });

  test('lets Secrets Manager invoke the function, and the function read, write and restage the secret and use its key', () => {
    const { template } = rotate();

    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'secretsmanager.amazonaws.com' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
            Resource: { Ref: Match.stringLikeRegexp('Databricks') },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['kms:Decrypt', 'kms:Encrypt']),
            Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
          }),
        ]),
      },
    });
  });

  test('rotates a secret imported by name', () => {
    const g = given();
    const existing = Secret.fromSecretNameV2(g.stack, 'Existing', 'prod/data-job-gateway/databricks');
    new SecretRotation(g.stack, 'ExistingRotation', { secret: existing, function: g.fn, interval: Duration.days(7) });
    Template.fromStack(g.stack).hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      // a literal ARN under @aws-cdk/core:enablePartitionLiterals (cdk.json), the stack's account and region being known
      SecretId: Match.stringLikeRegexp('^arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/data-job-gateway/databricks$'),
      RotationRules: { ScheduleExpression: 'rate(7 days)' },
    });
  });

  test.each([Duration.hours(4), Duration.days(1000)])('accepts the bounds (%s)', (interval) => {
    expect(() => rotate({ interval })).not.toThrow();
  });

  test.each([
    [Duration.hours(3), 'got 3 hours'],
    [Duration.days(1001), 'got 1001 days'],
    [Duration.days(0), 'got 0 days'],
  ])('fails when the interval is %s, naming the value', (interval, got) => {
    expect(() => rotate({ interval })).toThrow(InvalidRotationSchedule);
    expect(() => rotate({ interval })).toThrow(`rotation interval must be between 4 hours and 1000 days, ${got}`);
  });

  test('fails when the token lifetime does not outlast the interval', () => {
    expect(() => rotate({ interval: Duration.days(30), tokenLifetime: Duration.days(30) })).toThrow(
      'token lifetime must be longer than the rotation interval (30 days), got 30 days',
    );
    expect(() => rotate({ interval: Duration.days(30), tokenLifetime: Duration.days(45) })).not.toThrow();
  });

  test('skips the checks for values only known at deploy time', () => {
    const unresolved = Duration.days(Lazy.number({ produce: () => 30 }));
    expect(() => rotate({ interval: Duration.days(30), tokenLifetime: unresolved })).not.toThrow();
  });
});
