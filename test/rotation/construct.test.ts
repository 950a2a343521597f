import { describe, expect, test } from '@jest/globals';
import { App, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { InvalidRotationSchedule, RotationFunctionAlarm, SecretRotation, type SecretRotationProps } from '../../lib/constructs/rotation.js';
import { CDK_FEATURE_FLAGS } from '../cdk/feature-flags.js';

/** GIVEN a stack with a KMS-encrypted secret, a rotation function and a topic. */
function given() {
  const stack = new Stack(new App({ context: { ...CDK_FEATURE_FLAGS } }), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const secret = new Secret(stack, 'Databricks', { encryptionKey: new Key(stack, 'Key') });
  const fn = new LambdaFunction(stack, 'Rotation', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => {}') });
  const topic = new Topic(stack, 'Alarms');
  return { stack, secret, fn, topic };
}

function rotate(patch: Partial<SecretRotationProps> | ((g: ReturnType<typeof given>) => Partial<SecretRotationProps>) = {}) {
  const g = given();
  const extra = typeof patch === 'function' ? patch(g) : patch;
  const rotation = new SecretRotation(g.stack, 'DatabricksRotation', { secret: g.secret, credential: 'databricks-pat', function: g.fn, interval: Duration.days(30), ...extra });
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

  test('alarms on failed rotation steps of its credential, and tells the topic', () => {
    const { template, stack, topic } = rotate((g) => ({ alarmTopic: g.topic }));

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmDescription: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('AWSCURRENT is unchanged')])] },
      AlarmActions: [stack.resolve(topic.topicArn)],
      OKActions: [stack.resolve(topic.topicArn)],
      Namespace: 'DataJobGateway',
      MetricName: 'SecretRotationFailures',
      Dimensions: [
        { Name: 'credential', Value: 'databricks-pat' },
        { Name: 'service', Value: 'data-job-gateway' },
      ],
      Period: 3600,
      Statistic: 'Sum',
    });
  });

  test('watches the namespace and service it is given', () => {
    const { template } = rotate({ metricsNamespace: 'AcmeGateway', serviceName: 'acme-gateway' });

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AcmeGateway',
      MetricName: 'SecretRotationFailures',
      Dimensions: Match.arrayWith([{ Name: 'service', Value: 'acme-gateway' }]),
    });
  });

  test('two rotated secrets and the function each get their own signal: no two alarms watch the same thing', () => {
    // GIVEN a Databricks token and a Google key rotated by one function
    const g = given();
    const key = new Secret(g.stack, 'GoogleKey');
    new SecretRotation(g.stack, 'DatabricksRotation', { secret: g.secret, credential: 'databricks-pat', function: g.fn, interval: Duration.days(30) });
    new SecretRotation(g.stack, 'GoogleRotation', { secret: key, credential: 'google-service-account-key', function: g.fn, interval: Duration.days(30) });
    // WHEN the function's own alarm is added
    new RotationFunctionAlarm(g.stack, 'RotationFunctionAlarm', { function: g.fn, credentials: ['databricks-pat', 'google-service-account-key'] });

    // THEN there are three alarms and three distinct signals
    const alarms = Object.values(Template.fromStack(g.stack).findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties as Record<string, unknown>);
    const signal = (a: Record<string, unknown>) => JSON.stringify(a.Metrics ?? [a.Namespace, a.MetricName, a.Dimensions]);
    expect(alarms).toHaveLength(3);
    expect(new Set(alarms.map(signal)).size).toBe(3);
    // the function's alarm counts errors that no credential's failed step explains: a timeout or a crash reaches it
    const fnAlarm = alarms.find((a) => a.Metrics !== undefined)!;
    expect(fnAlarm.Metrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Expression: 'FILL(errors, 0) - FILL(c0, 0) - FILL(c1, 0)', ReturnData: true }),
        expect.objectContaining({ Id: 'errors', MetricStat: expect.objectContaining({ Metric: expect.objectContaining({ Namespace: 'AWS/Lambda', MetricName: 'Errors' }) }) }),
        expect.objectContaining({ Id: 'c1', MetricStat: expect.objectContaining({ Metric: expect.objectContaining({ Dimensions: expect.arrayContaining([{ Name: 'credential', Value: 'google-service-account-key' }]) }) }) }),
      ]),
    );
  });

  test('has no alarm action without a topic', () => {
    const { template } = rotate();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent() });
  });

  test('rotates a secret imported by name', () => {
    const g = given();
    const existing = Secret.fromSecretNameV2(g.stack, 'Existing', 'prod/data-job-gateway/databricks');
    new SecretRotation(g.stack, 'ExistingRotation', { secret: existing, credential: 'databricks-pat', function: g.fn, interval: Duration.days(7) });
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
