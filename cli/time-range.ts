// `--since 7d`, `--since 2024-05-01`, `--until 2h`: when an audit query looks.
import { UsageError } from './errors.js';

export interface TimeRange {
  readonly start: Date;
  readonly end: Date;
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(\d{1,6})(m|h|d|w)$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A moment: a duration before `now` (`30m`, `24h`, `7d`, `2w`), a UTC date, or an ISO date-time with its offset. */
export function parseMoment(text: string, now: Date, option: string): Date {
  const value = text.trim();
  const duration = DURATION.exec(value);
  if (duration) return new Date(now.getTime() - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS]);
  if (DATE_ONLY.test(value) || DATE_TIME.test(value)) {
    const at = new Date(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
    if (!Number.isNaN(at.getTime())) return at;
  }
  throw new UsageError(`${option} must be a duration such as 30m, 24h, 7d or 2w, or a date such as 2024-05-01 or 2024-05-01T12:00:00Z (got ${JSON.stringify(text)})`);
}

export function timeRange(since: string, until: string | undefined, now: Date): TimeRange {
  const start = parseMoment(since, now, '--since');
  const end = until === undefined ? now : parseMoment(until, now, '--until');
  if (start.getTime() > now.getTime()) throw new UsageError(`--since ${since} is in the future`);
  if (start.getTime() >= end.getTime()) throw new UsageError(`--since (${start.toISOString()}) must be before --until (${end.toISOString()})`);
  return { start, end };
}
