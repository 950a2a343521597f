// Rotation of one backend credential: the Secrets Manager schedule that invokes the rotation function, and an alarm
// when a rotation fails (the function's SecretRotationFailures metric, or the function erring before it could count).
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret, RotationSchedule } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS } from '../../lambda/core/metric-names.js';

export interface SecretRotationProps {
  /** The secret to rotate: the Databricks `pat` secret or the Google service-account key secret (never an `oauth-m2m` one, which the function refuses). */
  readonly secret: ISecret;
  /** The rotation function (lambda/rotation/index.ts). */
  readonly function: IFunction;
  /** Time between rotations (config `rotation.intervalDays`); between 4 hours and 1000 days, as Secrets Manager allows. */
  readonly interval: Duration;
  /**
   * Lifetime of the tokens the function creates (config `rotation.tokenLifetimeDays`). It must outlast `interval`, so a
   * token never expires before the next rotation replaces it.
   * @default not checked (Google keys do not expire)
   */
  readonly tokenLifetime?: Duration;
  /**
   * Rotate as soon as the schedule is created or changed.
   * @default false: the first rotation waits for the schedule, so the secret can be filled in by hand after the first deploy
   */
  readonly rotateImmediatelyOnUpdate?: boolean;
  /**
   * Topic told when the alarm fires and when it clears.
   * @default no alarm action
   */
  readonly alarmTopic?: ITopic;
  /**
   * Namespace the function's metrics are in (lambda/edge/metrics.ts `createMetrics`).
   * @default METRICS.namespace
   */
  readonly metricsNamespace?: string;
  /**
   * `service` dimension of the function's metrics.
   * @default METRICS.service
   */
  readonly serviceName?: string;
}

/** A rotation schedule or token lifetime Secrets Manager or the gateway cannot honour; the message names the value. */
export class InvalidRotationSchedule extends Error {
  override readonly name = 'InvalidRotationSchedule';
}

/** How long one data point of the alarm covers: a rotation and Secrets Manager's retries of it fit in it. */
const ALARM_PERIOD = Duration.hours(1);

/** The function's count of failed rotation steps (every credential, every step), summed per `period`. */
export function rotationFailuresMetric(options: { namespace: string; serviceName: string; period?: Duration }): Metric {
  return new Metric({
    namespace: options.namespace,
    metricName: METRICS.rotationFailures,
    dimensionsMap: { service: options.serviceName },
    statistic: 'Sum',
    period: options.period ?? ALARM_PERIOD,
  });
}

export class SecretRotation extends Construct {
  /** The secret's rotation schedule (a child of the secret). */
  readonly schedule: RotationSchedule;
  /** In alarm when a rotation step failed, or the function erred (a timeout or a crash counts no failure itself). */
  readonly alarm: Alarm;
  /** Failed steps plus function errors: what the alarm watches. */
  readonly failures: IMetric;

  constructor(scope: Construct, id: string, props: SecretRotationProps) {
    super(scope, id);
    checkInterval(props.interval);
    if (props.tokenLifetime) checkTokenLifetime(props.tokenLifetime, props.interval);

    this.schedule = props.secret.addRotationSchedule('RotationSchedule', {
      rotationLambda: props.function,
      automaticallyAfter: props.interval,
      rotateImmediatelyOnUpdate: props.rotateImmediatelyOnUpdate ?? false,
    });

    this.failures = new MathExpression({
      expression: 'FILL(failures, 0) + FILL(errors, 0)',
      usingMetrics: {
        failures: rotationFailuresMetric({ namespace: props.metricsNamespace ?? METRICS.namespace, serviceName: props.serviceName ?? METRICS.service }),
        errors: props.function.metricErrors({ statistic: 'Sum', period: ALARM_PERIOD }),
      },
      label: 'Failed rotation steps and rotation function errors',
      period: ALARM_PERIOD,
    });
    this.alarm = new Alarm(this, 'FailureAlarm', {
      metric: this.failures,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription:
        `Rotation of secret ${props.secret.secretName} failed. AWSCURRENT is unchanged and still works. ` +
        'Find the secret.rotation_failed audit event (step, reason), fix the cause, then run `aws secretsmanager rotate-secret`: see docs/credentials.md.',
    });
    if (props.alarmTopic) {
      this.alarm.addAlarmAction(new SnsAction(props.alarmTopic));
      this.alarm.addOkAction(new SnsAction(props.alarmTopic));
    }
  }
}

function checkInterval(interval: Duration): void {
  if (interval.isUnresolved()) return;
  const ms = interval.toMilliseconds();
  if (ms < Duration.hours(4).toMilliseconds() || ms > Duration.days(1000).toMilliseconds()) {
    throw new InvalidRotationSchedule(`rotation interval must be between 4 hours and 1000 days, got ${interval.toHumanString()}`);
  }
}

function checkTokenLifetime(lifetime: Duration, interval: Duration): void {
  if (lifetime.isUnresolved() || interval.isUnresolved()) return;
  if (lifetime.toMilliseconds() <= interval.toMilliseconds()) {
    throw new InvalidRotationSchedule(
      `token lifetime must be longer than the rotation interval (${interval.toHumanString()}), got ${lifetime.toHumanString()}: ` +
        'tokens would expire before the next rotation replaces them',
    );
  }
}
