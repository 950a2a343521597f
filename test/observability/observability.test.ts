// The Observability construct: the dashboard (snapshot), alarms to the right topic, and what it refuses to build.
import { describe, expect, test } from '@jest/globals';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InvalidSetting } from '../../lib/constructs/invalid-setting.js';
import { SIGNALS } from '../../contract/signals.js';
import { AWS_ALARM_THRESHOLDS } from '../../lib/observability/alarms.js';
import { dashboardBody, observedStack } from './fixtures.js';

const EXISTING_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ops-alarms';

// Synthesizing is the slow part: each shape is built once for the whole file.
const synthesized = new Map<string, Template>();
const templateOf = (shape: 'plain' | 'rotation' | 'existing-topic' | 'databricks-only') => {
  if (!synthesized.has(shape)) {
    const props = { plain: {}, rotation: { rotation: true }, 'existing-topic': { alarmTopicArn: EXISTING_TOPIC }, 'databricks-only': { backends: ['databricks' as const] } }[shape];
    synthesized.set(shape, Template.fromStack(observedStack(props).stack));
  }
  return synthesized.get(shape)!;
};

/** The one metric an alarm watches, whichever form CloudFormation got (labelled metrics come as `Metrics`). */
function watchedMetric(template: Template, alarmName: string) {
  const [alarm] = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: alarmName } }));
  if (!alarm) throw new Error(`no alarm ${alarmName}`);
  const p = alarm.Properties;
  if (p.MetricName) return { Namespace: p.Namespace, MetricName: p.MetricName, Dimensions: p.Dimensions, Stat: p.Statistic, Threshold: p.Threshold };
  const stats = p.Metrics.filter((m: any) => m.MetricStat);
  if (stats.length !== 1) throw new Error(`${alarmName} watches ${stats.length} metrics`);
  const { Metric, Stat } = stats[0].MetricStat;
  return { Namespace: Metric.Namespace, MetricName: Metric.MetricName, Dimensions: Metric.Dimensions, Stat, Threshold: p.Threshold };
}

describe('the dashboard', () => {
  test('matches the snapshot (references and asset hashes stripped)', () => {
    // GIVEN a gateway with a rotation function
    const template = templateOf('rotation');
    // WHEN
    const body = dashboardBody(template);
    // THEN
    expect(body).toMatchSnapshot();
  });

  test('is named after the gateway and the region, so deployments in two regions of one account do not collide', () => {
    // GIVEN the same config in two regions, and in a stack whose region is known only at deploy time
    const name = (env: { account?: string; region?: string }) => Object.values(Template.fromStack(observedStack({ env }).stack).findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardName;
    // THEN
    expect(name({ account: '123456789012', region: 'eu-west-1' })).toBe('TestGateway-eu-west-1');
    expect(name({ account: '123456789012', region: 'us-east-1' })).toBe('TestGateway-us-east-1');
    expect(name({})).toEqual({ 'Fn::Join': ['', ['TestGateway-', { Ref: 'AWS::Region' }]] });
  });

  test('graphs every signal the issue asks for', () => {
    const body = dashboardBody(templateOf('rotation'));
    const titles = body.widgets.map((w: any) => w.properties.title).filter(Boolean);
    expect(titles).toEqual([
      'API requests',
      'API 4xx and 5xx',
      'API latency (ms)',
      'Authorizer denials by reason',
      'Submissions and failures by backend',
      'Submissions by template',
      'Submit failures and cancellations by template',
      'Function errors',
      'Function throttles',
      'Function duration p99 (ms)',
      'Function invocations',
      'Backend latency p99 (ms)',
      'Secret rotations',
      'Recent submissions (audit log)',
      'Recent denials (audit log)',
      'Alarms',
    ]);
    const latency = body.widgets.find((w: any) => w.properties.title === 'API latency (ms)');
    expect(latency.properties.metrics.map((m: any[]) => m.at(-1).stat)).toEqual(['p50', 'p99', 'p99']);
  });

  test('finds denial reasons and templates by SEARCH over the dimension sets the functions emit', () => {
    const body = dashboardBody(templateOf('plain'));
    const expressions = body.widgets.flatMap((w: any) => (w.properties.metrics ?? []).map((m: any[]) => m[0]?.expression)).filter(Boolean);
    expect(expressions).toContain(`SEARCH('{"DataJobGateway","service","reason"} MetricName="AuthorizerDenials" service="data-job-gateway"', 'Sum', 300)`);
    expect(expressions).toContain(`SEARCH('{"DataJobGateway","service","backend","template"} MetricName="JobsSubmitted" service="data-job-gateway"', 'Sum', 300)`);
  });
});

describe('alarms', () => {
  test('without a topic ARN, a KMS-encrypted, TLS-only topic is created that CloudWatch may publish to', () => {
    // GIVEN / WHEN
    const template = templateOf('plain');
    // THEN
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
        ]),
      },
    });
    const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topic }]);
    }
  });

  test('with observability.alarmTopicArn, every alarm notifies that topic and none is created', () => {
    const template = templateOf('existing-topic');
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [EXISTING_TOPIC], OKActions: [EXISTING_TOPIC] });
  });

  test('API 5xx rate: percentage of requests, once the window holds enough of them', () => {
    const template = templateOf('plain');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'TestGateway-api-5xx-rate',
      Threshold: AWS_ALARM_THRESHOLDS.apiServerErrorRatePercent,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: `IF(requests >= ${AWS_ALARM_THRESHOLDS.apiServerErrorMinRequests}, 100 * errors / requests, 0)` }),
        Match.objectLike({ Id: 'requests', MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'AWS/ApiGateway', MetricName: 'Count' }), Stat: 'Sum' }) }),
        Match.objectLike({ Id: 'errors', MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'AWS/ApiGateway', MetricName: '5XXError' }), Stat: 'Sum' }) }),
      ]),
    });
  });

  test('authorizer errors: denials the authorizer made because it could not check the token', () => {
    const template = templateOf('plain');
    const [alarm] = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'TestGateway-authorizer-errors' } }));
    const reasons = alarm!.Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'reason').Value);
    expect(reasons.sort()).toEqual(['invalid_token', 'jwks_invalid', 'jwks_unavailable', 'revocation_unavailable']);
    expect(alarm!.Properties.Metrics[0].Expression).toBe('FILL(m0, 0) + FILL(m1, 0) + FILL(m2, 0) + FILL(m3, 0)');
  });

  test('backend submit failures: one alarm per backend on JobSubmitFailures by service and backend', () => {
    const template = templateOf('databricks-only');
    expect(watchedMetric(template, 'TestGateway-databricks-submit-failures')).toEqual({
      Namespace: 'DataJobGateway',
      MetricName: 'JobSubmitFailures',
      Dimensions: [
        { Name: 'backend', Value: 'databricks' },
        { Name: 'service', Value: 'data-job-gateway' },
      ],
      Stat: 'Sum',
      Threshold: SIGNALS.submitFailures.alarms[0]!.threshold,
    });
    expect(() => watchedMetric(template, 'TestGateway-dataproc-submit-failures')).toThrow('no alarm');
  });

  test('function throttles: one alarm per function', () => {
    const template = templateOf('plain');
    for (const name of ['authorizer', 'catalog', 'jobs', 'admin']) {
      expect(watchedMetric(template, `TestGateway-${name}-throttles`)).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Throttles', Stat: 'Sum', Threshold: AWS_ALARM_THRESHOLDS.throttles });
    }
  });

  test('rotation failures: one alarm per rotated credential, on its failed steps in an hour', () => {
    expect(() => watchedMetric(templateOf('plain'), 'TestGateway-databricks-pat-rotation-failures')).toThrow('no alarm');
    for (const credential of ['databricks-pat', 'google-service-account-key']) {
      expect(watchedMetric(templateOf('rotation'), `TestGateway-${credential}-rotation-failures`)).toEqual({
        Namespace: 'DataJobGateway',
        MetricName: 'SecretRotationFailures',
        Dimensions: [
          { Name: 'credential', Value: credential },
          { Name: 'service', Value: 'data-job-gateway' },
        ],
        Stat: 'Sum',
        Threshold: 1,
      });
    }
    templateOf('rotation').hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'TestGateway-databricks-pat-rotation-failures',
      AlarmDescription: Match.stringLikeRegexp('AWSCURRENT is unchanged'),
      Period: 3600,
    });
  });

  test("rotation function errors: the function's errors that no credential's failed step explains (a timeout, a crash, a secret it does not rotate)", () => {
    expect(() => watchedMetric(templateOf('plain'), 'TestGateway-rotation-function-errors')).toThrow('no alarm');
    const [alarm] = Object.values(templateOf('rotation').findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'TestGateway-rotation-function-errors' } }));
    expect(alarm!.Properties.Metrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Expression: 'FILL(errors, 0) - (FILL(m0, 0) + FILL(m1, 0))', ReturnData: true }),
        expect.objectContaining({ Id: 'errors', MetricStat: expect.objectContaining({ Metric: expect.objectContaining({ Namespace: 'AWS/Lambda', MetricName: 'Errors' }), Period: 3600 }) }),
        expect.objectContaining({ Id: 'm1', MetricStat: expect.objectContaining({ Metric: expect.objectContaining({ Dimensions: expect.arrayContaining([{ Name: 'credential', Value: 'google-service-account-key' }]) }) }) }),
      ]),
    );
  });

  test('no two alarms watch the same signal, so one failure pages once', () => {
    const alarms = Object.values(templateOf('rotation').findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const signal = (p: Record<string, unknown>) => JSON.stringify(p.Metrics ?? [p.Namespace, p.MetricName, p.Dimensions]);
    expect(new Set(alarms.map(signal)).size).toBe(alarms.length);
  });
});

describe('validation', () => {
  test('fails when the alarm topic is in another region', () => {
    expect(() => observedStack({ alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:ops' })).toThrow(InvalidSetting);
    expect(() => observedStack({ alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:ops' })).toThrow(/is in us-east-1, but alarms in eu-west-1/);
  });

  test('fails when the alarm topic ARN is not an SNS ARN', () => {
    expect(() => observedStack({ alarmTopicArn: 'arn:aws:sqs:eu-west-1:123456789012:queue' })).toThrow('/observability/alarmTopicArn must be an SNS topic ARN');
  });

  test('fails when the name cannot name a dashboard', () => {
    expect(() => observedStack({ name: 'my gateway!' })).toThrow('/name must be letters, digits, - or _');
  });

  test('fails when there is no function to watch', () => {
    expect(() => observedStack({ functions: {} })).toThrow('functions must name at least one function to watch');
  });
});

describe('cdk-nag', () => {
  test.each([
    ['a created alarm topic', {}],
    ['an existing alarm topic', { alarmTopicArn: EXISTING_TOPIC }],
  ])('AwsSolutions finds nothing on the observability resources with %s', (_, props) => {
    // GIVEN
    const { stack, observability } = observedStack({ rotation: true, ...props });
    // WHEN
    const report = new AwsSolutionsChecks().validateScope(stack);
    // THEN
    const ours = report.violations.flatMap((v) => v.violatingResources.filter((r) => r.constructPath?.includes(`/${observability.node.id}/`)).map((r) => `${v.ruleName} at ${r.constructPath}`));
    expect(ours).toEqual([]);
  });
});
