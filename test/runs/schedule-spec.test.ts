/** What a schedule's timing may be: cron expressions and intervals, never more often than every 15 minutes. */
import { checkCron, InvalidScheduleError, parseInterval } from '../../lib/runs/schedule-spec';

const refusal = (work: () => unknown) => {
  try {
    work();
  } catch (err) {
    if (err instanceof InvalidScheduleError) return `${err.field}: ${err.reason}`;
    throw err;
  }
  throw new Error('expected a refusal');
};

it('takes intervals of 15 minutes and more', () => {
  expect(parseInterval('15m')).toBe(900_000);
  expect(parseInterval('6h')).toBe(6 * 3_600_000);
  expect(parseInterval('1h30m')).toBe(5_400_000);
  expect(parseInterval(' 1D ')).toBe(86_400_000);
  expect(refusal(() => parseInterval('5m'))).toBe('interval: must be at least 15m (each execution runs the whole suite against the API)');
  expect(refusal(() => parseInterval('899s'))).toMatch(/^interval: must be at least 15m/);
  expect(refusal(() => parseInterval('6 hours'))).toBe('interval: must be a duration such as 30m, 6h, 1d or 1h30m');
  expect(refusal(() => parseInterval('400d'))).toBe('interval: must be at most 366d');
});

it('takes five-field cron expressions and shorthands that fire at most every 15 minutes', () => {
  for (const cron of ['0 */6 * * *', '*/15 * * * *', '0,30 9-17 * * MON-FRI', '5 4 1 jan,jul *', '0 0 * * 7', '@daily', '@Hourly']) expect(() => checkCron(cron)).not.toThrow();
  expect(checkCron('0  */6 * *  *')).toBe('0 */6 * * *');
  expect(refusal(() => checkCron('* * * * *'))).toBe('cron: fires more often than every 15 minutes (minutes *)');
  expect(refusal(() => checkCron('0,50 * * * *'))).toBe('cron: fires more often than every 15 minutes (minutes 0,50)');
  expect(refusal(() => checkCron('*/10 * * * *'))).toMatch(/^cron: fires more often/);
  expect(refusal(() => checkCron('0 */6 * *'))).toMatch(/^cron: must have 5 fields/);
  expect(refusal(() => checkCron('0 25 * * *'))).toBe('cron: the hour field has "25"; it takes 0-23');
  expect(refusal(() => checkCron('0 0 * foo *'))).toBe('cron: the month field has "foo"; it takes 1-12');
  expect(refusal(() => checkCron('0 0 * * */0'))).toBe('cron: the day of week field has step 0');
  expect(refusal(() => checkCron('0 0 L * *'))).toBe('cron: the day of month field has "L"; it takes 1-31');
});
