// Rotation of one backend credential: the Secrets Manager schedule that invokes the rotation function, checked against
// what Secrets Manager and the token lifetime allow. Its alarms are the rotation signals' (contract/signals.ts), built by
// the Observability construct: one per rotated credential's failed steps, one on the function's unexplained errors.
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret, RotationSchedule } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface SecretRotationProps {
  /** The secret to rotate: the Databricks credential (`pat` or `oauth-m2m`) or the Google service-account key. */
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
}

/** A rotation schedule or token lifetime Secrets Manager or the gateway cannot honour; the message names the value. */
export class InvalidRotationSchedule extends Error {
  override readonly name = 'InvalidRotationSchedule';
}

export class SecretRotation extends Construct {
  /** The secret's rotation schedule (a child of the secret). */
  readonly schedule: RotationSchedule;

  constructor(scope: Construct, id: string, props: SecretRotationProps) {
    super(scope, id);
    checkInterval(props.interval);
    if (props.tokenLifetime) checkTokenLifetime(props.tokenLifetime, props.interval);

    this.schedule = props.secret.addRotationSchedule('RotationSchedule', {
      rotationLambda: props.function,
      automaticallyAfter: props.interval,
      rotateImmediatelyOnUpdate: props.rotateImmediatelyOnUpdate ?? false,
    });
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
