/** When a schedule re-executes a suite: a cron expression or an interval, never more often than every 15 minutes. */

export const MIN_SCHEDULE_INTERVAL_MINUTES = 15;

export class InvalidScheduleError extends Error {
  constructor(readonly field: 'cron' | 'interval', readonly reason: string) {
    super(`${field}: ${reason}`);
    this.name = 'InvalidScheduleError';
  }
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_INTERVAL_MS = 366 * UNIT_MS.d;

/** `30m`, `6h`, `1d`, `1h30m` → milliseconds. */
export function parseInterval(text: string): number {
  const compact = text.trim().toLowerCase();
  if (!/^(\d+[smhd])+$/.test(compact)) throw new InvalidScheduleError('interval', 'must be a duration such as 30m, 6h, 1d or 1h30m');
  const ms = [...compact.matchAll(/(\d+)([smhd])/g)].reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit], 0);
  if (ms < MIN_SCHEDULE_INTERVAL_MINUTES * UNIT_MS.m) throw new InvalidScheduleError('interval', `must be at least ${MIN_SCHEDULE_INTERVAL_MINUTES}m (each execution runs the whole suite against the API)`);
  if (ms > MAX_INTERVAL_MS) throw new InvalidScheduleError('interval', 'must be at most 366d');
  return ms;
}

const CRON_SHORTHANDS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 7, names: DAYS },
];

/** The values one field of a cron expression matches; throws naming the field when it is not one. */
function cronValues(text: string, field: CronField): number[] {
  const value = (token: string): number => {
    const named = field.names?.indexOf(token.toLowerCase()) ?? -1;
    const n = named >= 0 ? named + (field.name === 'month' ? 1 : 0) : /^\d+$/.test(token) ? Number(token) : NaN;
    if (!(n >= field.min && n <= field.max)) throw new InvalidScheduleError('cron', `the ${field.name} field has ${JSON.stringify(token)}; it takes ${field.min}-${field.max}`);
    return n;
  };
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const match = /^(\*|[^-/]+(?:-[^-/]+)?)(?:\/(\d+))?$/.exec(item);
    if (!match) throw new InvalidScheduleError('cron', `the ${field.name} field ${JSON.stringify(item)} is not *, a value, a range a-b, or one of those with /step`);
    const [, range, step] = match;
    const [from, to] = range === '*' ? [field.min, field.max] : range.includes('-') ? range.split('-').map(value) : [value(range), step ? field.max : value(range)];
    if (step !== undefined && Number(step) < 1) throw new InvalidScheduleError('cron', `the ${field.name} field has step 0`);
    for (let n = from; n <= to; n += Number(step ?? 1)) values.add(n);
  }
  return [...values].sort((a, b) => a - b);
}

/**
 * Checks a standard five-field cron expression (minute hour day-of-month month day-of-week, as
 * Temporal reads it) or a shorthand such as @daily, and that it fires at most every 15 minutes.
 */
export function checkCron(text: string): string {
  const expression = text.trim().replace(/\s+/g, ' ');
  if (CRON_SHORTHANDS.includes(expression.toLowerCase())) return expression.toLowerCase();
  const parts = expression.split(' ');
  if (parts.length !== 5) {
    throw new InvalidScheduleError('cron', `must have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 */6 * * *", or be one of ${CRON_SHORTHANDS.join(', ')}`);
  }
  const fields = parts.map((part, i) => cronValues(part, FIELDS[i]));
  const minutes = fields[0];
  // Cyclic gaps within an hour: minutes 0 and 50 are 10 minutes apart across the hour.
  const gaps = minutes.map((m, i) => (i + 1 < minutes.length ? minutes[i + 1] - m : minutes[0] + 60 - m));
  if (minutes.length > 1 && Math.min(...gaps) < MIN_SCHEDULE_INTERVAL_MINUTES) {
    throw new InvalidScheduleError('cron', `fires more often than every ${MIN_SCHEDULE_INTERVAL_MINUTES} minutes (minutes ${parts[0]})`);
  }
  return expression;
}
