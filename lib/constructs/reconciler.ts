// The reconciler's schedule: an EventBridge rule that invokes the reconciler function every few minutes.
import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface ReconcilerScheduleProps {
  /**
   * The function built from `lambda/reconciler/index.ts`. It needs what the jobs function has: read/write on the
   * ledger table and its indexes, and the backends' credentials (Databricks secret, Google key secret if used).
   */
  readonly function: IFunction;
  /**
   * How often a pass runs: whole minutes, from 1 minute to 1 day. Keep it longer than the function's timeout so
   * passes do not overlap (they are idempotent, but would audit twice).
   * @default Duration.minutes(5)
   */
  readonly every?: Duration;
  /** A disabled rule keeps its schedule but invokes nothing. @default true */
  readonly enabled?: boolean;
}

export class ReconcilerSchedule extends Construct {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: ReconcilerScheduleProps) {
    super(scope, id);
    const every = props.every ?? Duration.minutes(5);
    if (!every.isUnresolved()) {
      const minutes = every.toSeconds() / 60;
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
        throw new Error(`reconciler schedule must be whole minutes between 1 minute and 1 day, got ${every.toHumanString()}`);
      }
    }
    this.rule = new Rule(this, 'Resource', {
      description: 'Settles Data Job Gateway ledger rows reserved but never confirmed by their backend',
      schedule: Schedule.rate(every),
      enabled: props.enabled ?? true,
    });
    // No retries: the next tick is the retry, and a late retry could overlap it.
    this.rule.addTarget(new LambdaFunction(props.function, { retryAttempts: 0 }));
  }
}
