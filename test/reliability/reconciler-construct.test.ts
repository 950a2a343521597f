// The reconciler's schedule: an EventBridge rule invoking the function it is given, without retries.
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { ReconcilerSchedule, type ReconcilerScheduleProps } from '../../lib/constructs/reconciler.js';
import { CDK_FEATURE_FLAGS } from '../cdk/feature-flags.js';

function build(props: Omit<ReconcilerScheduleProps, 'function'> = {}) {
  const stack = new Stack(new App({ context: { ...CDK_FEATURE_FLAGS } }), 'Test');
  const fn = new LambdaFunction(stack, 'Fn', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({})') });
  const schedule = new ReconcilerSchedule(stack, 'Reconciler', { function: fn, ...props });
  return { stack, schedule, template: Template.fromStack(stack) };
}

it('invokes the function every 5 minutes by default, with no retries', () => {
  // GIVEN / WHEN
  const { template } = build();
  // THEN
  template.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: 'rate(5 minutes)',
    State: 'ENABLED',
    Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Fn'), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } })],
  });
  template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com' });
});

it('takes the interval and the enabled flag from its props', () => {
  const { template, schedule } = build({ every: Duration.minutes(15), enabled: false });
  template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)', State: 'DISABLED' });
  expect(schedule.rule).toBeDefined();
});

it.each([
  ['less than a minute', Duration.seconds(30)],
  ['not whole minutes', Duration.seconds(90)],
  ['longer than a day', Duration.days(2)],
])('fails when the interval is %s', (_what, every) => {
  expect(() => build({ every })).toThrow(/whole minutes between 1 minute and 1 day/);
});
