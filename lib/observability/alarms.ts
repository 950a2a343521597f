// The gateway's alarms as data: what each watches, when it fires and why it matters. The alarms on the gateway's own
// signals are built from their entries in contract/signals.ts; the ones on API Gateway and Lambda metrics are here.
// The Observability construct turns each spec into a CloudWatch alarm that notifies the alarm topic.
import { Duration } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { ComparisonOperator, MathExpression, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ALARM_SHAPE, SIGNALS, type DeployedDimension, type SignalAlarm, type SignalName, type WatchedFunction } from '../../contract/signals.js';
import { apiServerErrorRate, functionErrors, functionThrottles, signalMetric } from './metrics.js';

/** Thresholds of the alarms on API Gateway and Lambda metrics, over one five-minute window. Listed in docs/auditors.md ("Alarms"). */
export const AWS_ALARM_THRESHOLDS = {
  /** Percentage of API requests answered 5xx ... */
  apiServerErrorRatePercent: 5,
  /** ... counted only once the window holds this many requests. */
  apiServerErrorMinRequests: 10,
  /** Throttled invocations per function. */
  throttles: 1,
} as const;

export interface AlarmSpec {
  /** Construct id, stable: changing it replaces the alarm. */
  readonly id: string;
  /** Suffix of the alarm name (`<gateway name>-<suffix>`). */
  readonly nameSuffix: string;
  /** What it means and what to do first; shown in the console and in the notification. */
  readonly description: string;
  readonly metric: IMetric;
  readonly threshold: number;
}

export interface AlarmInputs {
  readonly stage: Stage;
  /** Functions to watch for throttles, by a short name (authorizer, jobs...). */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** The functions the signals' alarms combine with: the rotation function, when the stack rotates credentials. */
  readonly watched: Partial<Readonly<Record<WatchedFunction, IFunction>>>;
  /** The values of each deployed dimension: the backends this gateway submits to, the credentials it rotates. */
  readonly deployed: Readonly<Record<DeployedDimension, readonly string[]>>;
}

/** ALARM_SHAPE in the CDK's terms: its values are CloudFormation's own words, which the CDK enums hold. */
export const CDK_ALARM_SHAPE = {
  comparisonOperator: ALARM_SHAPE.comparison as ComparisonOperator,
  evaluationPeriods: ALARM_SHAPE.evaluationPeriods,
  datapointsToAlarm: ALARM_SHAPE.datapointsToAlarm,
  treatMissingData: ALARM_SHAPE.treatMissingData as TreatMissingData,
} as const;

export function alarmSpecs(inputs: AlarmInputs): AlarmSpec[] {
  const t = AWS_ALARM_THRESHOLDS;
  return [
    {
      id: 'ApiServerErrorRate',
      nameSuffix: 'api-5xx-rate',
      description: `At least ${t.apiServerErrorRatePercent}% of API requests answered 5xx in 5 minutes (with ${t.apiServerErrorMinRequests}+ requests). Check the jobs function's errors and the backend submit failures; an authorizer crash also shows here (API Gateway answers 500).`,
      metric: apiServerErrorRate(inputs.stage, t.apiServerErrorMinRequests),
      threshold: t.apiServerErrorRatePercent,
    },
    ...(Object.keys(SIGNALS) as SignalName[]).flatMap((name) => SIGNALS[name].alarms.flatMap((rule: SignalAlarm) => signalAlarmSpecs(name, rule, inputs))),
    ...Object.entries(inputs.functions).map(([name, fn]) => ({
      id: `Throttles${pascal(name)}`,
      nameSuffix: `${name}-throttles`,
      description: `The ${name} function was throttled: requests were refused for lack of Lambda concurrency. Raise the account's concurrency limit or reserve concurrency for it.`,
      metric: functionThrottles(fn, name),
      threshold: t.throttles,
    })),
  ];
}

/** The alarms one rule of a signal makes in this deployment (none when it watches a dimension with no deployed value). */
function signalAlarmSpecs(name: SignalName, rule: SignalAlarm, inputs: AlarmInputs): AlarmSpec[] {
  const period = Duration.minutes(rule.periodMinutes);
  const metric = (value: string, dimension: string, label?: string) => signalMetric(name, rule.set, { [dimension]: value }, { statistic: rule.statistic, period, label });
  const spec = (id: string, value: string, m: IMetric): AlarmSpec => ({
    id,
    nameSuffix: fill(rule.name, rule, value),
    description: fill(rule.description, rule, value),
    metric: m,
    threshold: rule.threshold,
  });
  // FILL(m, 0): a value with no data point this period counts 0 instead of leaving the whole sum without a value.
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
  const sum = (dimension: string, values: readonly string[]) => {
    const usingMetrics = Object.fromEntries(values.map((v, i) => [`m${i}`, metric(v, dimension, v)]));
    return { expression: Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(' + '), usingMetrics };
  };
  if ('each' in rule) return inputs.deployed[rule.each].map((value) => spec(`${rule.id}${pascal(value)}`, value, metric(value, rule.each)));
  if ('sumOver' in rule) {
    const { expression, usingMetrics } = sum(rule.sumOver.dimension, rule.sumOver.values);
    return [spec(rule.id, '', new MathExpression({ expression, usingMetrics, period, label: SIGNALS[name].metric }))];
  }
  const fn = inputs.watched[rule.unexplainedErrorsOf];
  if (!fn) return [];
  const explained = sum(rule.per, inputs.deployed[rule.per]);
  return [
    spec(
      rule.id,
      '',
      new MathExpression({
        expression: explained.expression ? `FILL(errors, 0) - (${explained.expression})` : 'FILL(errors, 0)',
        usingMetrics: { errors: functionErrors(fn, `${rule.unexplainedErrorsOf} errors`, period), ...explained.usingMetrics },
        period,
        label: `${rule.unexplainedErrorsOf} function errors that no ${SIGNALS[name].metric} explains`,
      }),
    ),
  ];
}

/** `{value}`, `{threshold}` and `{period}` of a rule's name or description. */
function fill(text: string, rule: SignalAlarm, value: string): string {
  const period = rule.periodMinutes % 60 === 0 ? (rule.periodMinutes === 60 ? 'an hour' : `${rule.periodMinutes / 60} hours`) : `${rule.periodMinutes} minutes`;
  return text.replaceAll('{value}', value).replaceAll('{threshold}', String(rule.threshold)).replaceAll('{period}', period);
}

const pascal = (s: string) => s.replace(/(^|[-_\s]+)([a-z0-9])/gi, (_, __, c: string) => c.toUpperCase());
