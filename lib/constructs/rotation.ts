// Rotation of one backend credential: the Secrets Manager schedule that invokes the rotation function, and an alarm
// when a step of that credential's rotation fails. One RotationFunctionAlarm per stack watches the other signal: the
// function failing without a credential's step failing (a timeout, a crash, a secret it could not even describe).
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret, RotationSchedule } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS, type RotatedCredential } from '../../contract/signals.js';

export interface SecretRotationProps {
  /** The secret to rotate: the Databricks credential (`pat` or `oauth-m2m`) or the Google service-account key. */
  readonly secret: ISecret;
  /** Which credential the secret holds: the `credential` dimension the function counts its failed steps under. */
  readonly credential: RotatedCredential;
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
   * Namespace the function's metrics are in (lambda/adapters/powertools/job-metrics.ts `createMetrics`).
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

/** The function's count of failed rotation steps of one credential (every step), summed per `period`. */
export function rotationFailuresMetric(options: { namespace: string; serviceName: string; credential: RotatedCredential; period?: Duration }): Metric {
  return new Metric({
    namespace: options.namespace,
    metricName: METRICS.rotationFailures,
    dimensionsMap: { service: options.serviceName, credential: options.credential },
    statistic: 'Sum',
    period: options.period ?? ALARM_PERIOD,
  });
}

export class SecretRotation extends Construct {
  /** The secret's rotation schedule (a child of the secret). */
  readonly schedule: RotationSchedule;
  /** In alarm when a step of this credential's rotation failed. */
  readonly alarm: Alarm;
  /** This credential's failed rotation steps: what the alarm watches. */
  readonly failures: Metric;

  constructor(scope: Construct, id: string, props: SecretRotationProps) {
    super(scope, id);
    checkInterval(props.interval);
    if (props.tokenLifetime) checkTokenLifetime(props.tokenLifetime, props.interval);

    this.schedule = props.secret.addRotationSchedule('RotationSchedule', {
      rotationLambda: props.function,
      automaticallyAfter: props.interval,
      rotateImmediatelyOnUpdate: props.rotateImmediatelyOnUpdate ?? false,
    });

    this.failures = rotationFailuresMetric({
      namespace: props.metricsNamespace ?? METRICS.namespace,
      serviceName: props.serviceName ?? METRICS.service,
      credential: props.credential,
    });
    this.alarm = rotationAlarm(this, 'FailureAlarm', this.failures, props.alarmTopic,
      `Rotation of secret ${props.secret.secretName} (${props.credential}) failed at a step. AWSCURRENT is unchanged and still works. ` +
        'Find the secret.rotation_failed audit event (step, reason), fix the cause, then run `aws secretsmanager rotate-secret`: see docs/credentials.md.',
    );
  }
}

export interface RotationFunctionAlarmProps {
  /** The rotation function (lambda/rotation/index.ts). */
  readonly function: IFunction;
  /** The credentials it rotates in this stack: their failed steps are the per-secret alarms' signal, not this one's. */
  readonly credentials: readonly RotatedCredential[];
  /** @default no alarm action */
  readonly alarmTopic?: ITopic;
  /** @default METRICS.namespace */
  readonly metricsNamespace?: string;
  /** @default METRICS.service */
  readonly serviceName?: string;
}

/**
 * The rotation function failing for a reason no credential's alarm sees: every failed step makes the invocation fail
 * (Lambda `Errors`) and counts a failure of its credential, so errors beyond those counted failures are timeouts,
 * crashes, or rotations of a secret the function could not describe or does not know.
 */
export class RotationFunctionAlarm extends Construct {
  readonly alarm: Alarm;
  /** Function errors not counted as a failed step of a rotated credential. */
  readonly unexplainedErrors: IMetric;

  constructor(scope: Construct, id: string, props: RotationFunctionAlarmProps) {
    super(scope, id);
    const counted = Object.fromEntries(
      props.credentials.map((credential, i) => [
        `c${i}`,
        rotationFailuresMetric({ namespace: props.metricsNamespace ?? METRICS.namespace, serviceName: props.serviceName ?? METRICS.service, credential }),
      ]),
    );
    const subtract = Object.keys(counted).map((k) => ` - FILL(${k}, 0)`).join('');
    this.unexplainedErrors = new MathExpression({
      expression: `FILL(errors, 0)${subtract}`,
      usingMetrics: { errors: props.function.metricErrors({ statistic: 'Sum', period: ALARM_PERIOD }), ...counted },
      label: 'Rotation function errors that are no failed step of a rotated credential',
      period: ALARM_PERIOD,
    });
    this.alarm = rotationAlarm(this, 'Resource', this.unexplainedErrors, props.alarmTopic,
      'The rotation function failed without a rotation step failing: it timed out, crashed, or was invoked for a secret it could not describe. ' +
        'AWSCURRENT is unchanged. Read the function\'s log (Task timed out, an error before any secret.rotation_failed event), fix it, then retry with `aws secretsmanager rotate-secret`: see docs/credentials.md.',
    );
  }
}

function rotationAlarm(scope: Construct, id: string, metric: IMetric, topic: ITopic | undefined, description: string): Alarm {
  const alarm = new Alarm(scope, id, {
    metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    alarmDescription: description,
  });
  if (topic) {
    alarm.addAlarmAction(new SnsAction(topic));
    alarm.addOkAction(new SnsAction(topic));
  }
  return alarm;
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
