import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { InvalidSetting } from './invalid-setting.js';

/** The retention periods CloudWatch Logs accepts, in days. */
const CLOUDWATCH_RETENTION_DAYS = Object.values(RetentionDays)
  .filter((d): d is RetentionDays => typeof d === 'number' && d > 0)
  .sort((a, b) => a - b);

/** A config's day count as a CloudWatch retention; anything else fails synth rather than deploy. */
export function retentionDays(days: number, field: string): RetentionDays {
  const match = CLOUDWATCH_RETENTION_DAYS.find((d) => d === days);
  if (match === undefined) {
    const above = CLOUDWATCH_RETENTION_DAYS.find((d) => d > days);
    throw new InvalidSetting(field, `must be a retention CloudWatch Logs offers (got ${days}; nearest above is ${above ?? 'none'}; allowed: ${CLOUDWATCH_RETENTION_DAYS.join(', ')})`);
  }
  return match;
}
