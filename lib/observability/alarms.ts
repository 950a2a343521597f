// The gateway's alarms as data: what each watches, when it fires and why it matters. The Observability construct
// turns each spec into a CloudWatch alarm that notifies the alarm topic.
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { BackendName } from '../../contract/backends.js';
import { apiServerErrorRate, authorizerFailClosed, functionErrors, functionThrottles, submitFailures, type GatewayMetricSource } from './metrics.js';

/** Thresholds, all over one five-minute window. Listed in docs/auditors.md ("Alarms"). */
export const ALARM_DEFAULTS = {
  /** Percentage of API requests answered 5xx ... */
  apiServerErrorRatePercent: 5,
  /** ... counted only once the window holds this many requests. */
  apiServerErrorMinRequests: 10,
  /** Requests refused because the authorizer could not reach its issuer's keys or the revocation store. */
  authorizerFailClosedDenials: 1,
  /** Failed backend submissions per backend. */
  submitFailures: 3,
  /** Failed rotation attempts (rotation function errors; Secrets Manager retries them). */
  rotationFailures: 1,
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
  readonly metrics: GatewayMetricSource;
  /** Functions to watch for throttles, by a short name (authorizer, jobs...). */
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly rotationFunction?: IFunction;
  /** The backends this gateway submits to. */
  readonly backends: readonly BackendName[];
}

/** Every alarm fires at `>= threshold` in one five-minute window; no data is not a breach (quiet hours are fine). */
export const ALARM_SHAPE = {
  comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  treatMissingData: TreatMissingData.NOT_BREACHING,
} as const;

export function alarmSpecs(inputs: AlarmInputs): AlarmSpec[] {
  const d = ALARM_DEFAULTS;
  const specs: AlarmSpec[] = [
    {
      id: 'ApiServerErrorRate',
      nameSuffix: 'api-5xx-rate',
      description: `At least ${d.apiServerErrorRatePercent}% of API requests answered 5xx in 5 minutes (with ${d.apiServerErrorMinRequests}+ requests). Check the jobs function's errors and the backend submit failures; an authorizer crash also shows here (API Gateway answers 500).`,
      metric: apiServerErrorRate(inputs.stage, d.apiServerErrorMinRequests),
      threshold: d.apiServerErrorRatePercent,
    },
    {
      id: 'AuthorizerErrors',
      nameSuffix: 'authorizer-errors',
      description: 'The authorizer could not check tokens (issuer JWKS or the revocation store unreachable or invalid) and refused callers. Run `npm run audit -- denied --since 1h` and look for jwks_* or revocation_unavailable reasons.',
      metric: authorizerFailClosed(inputs.metrics),
      threshold: d.authorizerFailClosedDenials,
    },
    ...inputs.backends.map((backend) => ({
      id: `SubmitFailures${pascal(backend)}`,
      nameSuffix: `${backend}-submit-failures`,
      description: `At least ${d.submitFailures} job submissions to ${backend} failed in 5 minutes. Run \`npm run audit -- failures --since 1h\`: the reason is the backend's error code.`,
      metric: submitFailures(inputs.metrics, backend),
      threshold: d.submitFailures,
    })),
    ...Object.entries(inputs.functions).map(([name, fn]) => ({
      id: `Throttles${pascal(name)}`,
      nameSuffix: `${name}-throttles`,
      description: `The ${name} function was throttled: requests were refused for lack of Lambda concurrency. Raise the account's concurrency limit or reserve concurrency for it.`,
      metric: functionThrottles(fn, name),
      threshold: d.throttles,
    })),
  ];
  if (inputs.rotationFunction) {
    specs.push({
      id: 'RotationFailures',
      nameSuffix: 'rotation-failures',
      description: 'A backend credential rotation step failed; the old credential stays current. Run `npm run audit -- rotations --since 7d` for the reason, then retry with `aws secretsmanager rotate-secret`.',
      metric: functionErrors(inputs.rotationFunction, 'rotation'),
      threshold: d.rotationFailures,
    });
  }
  return specs;
}

const pascal = (s: string) => s.replace(/(^|[-_\s]+)([a-z0-9])/gi, (_, __, c: string) => c.toUpperCase());
