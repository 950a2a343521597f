// Alarms reach the on-call: every alarm notifies the alarm topic, the topic's policy lets CloudWatch publish (this
// account's alarms only, over TLS), and the topic's key lets CloudWatch encrypt the message. Evaluated on the
// synthesized template, the way AWS evaluates a service principal's request.
import { describe, expect, it } from '@jest/globals';
import { buildStack, TEST_ENV } from '../cdk/fixtures.js';
import { evaluate, resolver, type PolicyRequest } from '../cdk/policy-evaluation.js';

const { template } = buildStack();
const resources: Record<string, any> = template.toJSON().Resources;
const resolve = resolver(TEST_ENV);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

const [[topicId, topic]] = ofType('AWS::SNS::Topic') as [[string, any]];
const alarms = ofType('AWS::CloudWatch::Alarm');
// An alarm without AlarmName gets one from CloudFormation: <stack>-<logical id>-<suffix>.
const alarmArn = (id: string, account = TEST_ENV.account) => `arn:aws:cloudwatch:${TEST_ENV.region}:${account}:alarm:${resources[id].Properties.AlarmName ?? `Gateway-${id}-1A2B3C4D5E6F`}`;
const topicPolicy = () => {
  const policies = ofType('AWS::SNS::TopicPolicy').filter(([, p]) => p.Properties.Topics.some((t: unknown) => resolve(t) === `ref:${topicId}`));
  expect(policies).toHaveLength(1);
  return policies[0]![1].Properties.PolicyDocument;
};
const publish = (alarm: string, context: Partial<Record<string, string>> = {}): PolicyRequest => ({
  principal: { Service: 'cloudwatch.amazonaws.com' },
  action: 'sns:Publish',
  resource: `ref:${topicId}`,
  context: { 'aws:SourceAccount': TEST_ENV.account, 'aws:SourceArn': alarmArn(alarm), 'aws:SecureTransport': 'true', ...context } as Record<string, string>,
});

describe('alarm → topic → key', () => {
  it('every alarm, the rotation alarms included, notifies the one alarm topic', () => {
    expect(alarms.length).toBeGreaterThan(8);
    expect(alarms.map(([id]) => id)).toContainEqual(expect.stringMatching(/Rotation/));
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions.map(resolve)).toEqual([`ref:${topicId}`]);
    }
  });

  it('the topic policy lets CloudWatch publish for each of these alarms', () => {
    for (const [id] of alarms) expect(evaluate(topicPolicy(), publish(id), resolve)).toBe('allow');
  });

  it('and only for alarms of this account', () => {
    const [id] = alarms[0]!;
    const elsewhere = publish(id, { 'aws:SourceAccount': '210987654321', 'aws:SourceArn': alarmArn(id, '210987654321') });
    expect(evaluate(topicPolicy(), elsewhere, resolve)).toBe('implicit-deny');
    expect(evaluate(topicPolicy(), publish(id, { 'aws:SourceArn': `arn:aws:events:${TEST_ENV.region}:${TEST_ENV.account}:rule/x` }), resolve)).toBe('implicit-deny');
  });

  it('still refuses any publish without TLS', () => {
    const [id] = alarms[0]!;
    expect(evaluate(topicPolicy(), publish(id, { 'aws:SecureTransport': 'false' }), resolve)).toBe('explicit-deny');
  });

  it("the topic's key lets CloudWatch generate and use the message's data key", () => {
    const keyId = resolve(topic.Properties.KmsMasterKeyId).replace(/^getatt:(.*)\.Arn$/, '$1');
    const key = resources[keyId];
    expect(key?.Type).toBe('AWS::KMS::Key');
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      const request: PolicyRequest = { principal: { Service: 'cloudwatch.amazonaws.com' }, action, resource: '*', context: {} };
      expect(evaluate(key.Properties.KeyPolicy, request, resolve)).toBe('allow');
    }
  });
});
