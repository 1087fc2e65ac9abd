/**
 * Whether the API answered at all. A suite run in which the baseline requests (each operation's
 * happy path, the requests that must succeed on a correct API) mostly get no answer — connection
 * refused, timed out, reset, never answered, or a server error — says nothing about the API's
 * behaviour: the execute stage fails instead of delivering tests nobody could verify.
 */
import type { Exchange } from './types';

/**
 * Share of requests that got no usable answer (no HTTP answer, or a 5xx) from which a run counts as
 * not reaching the API: both among the baseline requests and among all the suite's requests of
 * the run. The second condition keeps a real API whose valid requests all fail with a 500 (a
 * broken database, a seeded fault in a create every other operation's setup needs) while it still
 * rejects invalid ones: that is reported as possible API defects, not as an unreachable API.
 */
export const UNREACHABLE_SHARE = 0.8;

/** The API gave (almost) no answer: the run cannot tell a correct API from a broken one. Not retried. */
export class ApiUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiUnreachableError';
  }
}

/** What a request that got no usable answer saw, in a few words. */
export function whatWasSeen(exchange: Exchange): string {
  if (!exchange.error && exchange.status !== undefined) return `answered ${exchange.status}`;
  const error = exchange.error ?? '';
  if (!error) return 'no answer';
  if (/ECONNREFUSED/.test(error)) return 'connection refused';
  if (/no answer within|ETIMEDOUT|ESOCKETTIMEDOUT|timed? ?out/i.test(error)) return 'timed out';
  if (/ENOTFOUND|EAI_AGAIN/.test(error)) return 'host not found';
  if (/ECONNRESET|EPIPE|socket hang up|broke off/i.test(error)) return 'connection reset';
  if (/EHOSTUNREACH|ENETUNREACH/.test(error)) return 'host unreachable';
  return error.replace(/^.*? could not be reached: /, '').slice(0, 120);
}

const answered = (exchange: Exchange) => !exchange.error && exchange.status !== undefined && exchange.status < 500;

function seenSummary(unanswered: Exchange[]): string {
  const counts = new Map<string, number>();
  for (const exchange of unanswered) counts.set(whatWasSeen(exchange), (counts.get(whatWasSeen(exchange)) ?? 0) + 1);
  const sorted = [...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (sorted.length === 1) return sorted[0][0];
  return sorted.map(([what, count]) => `${count} ${what}`).join(', ');
}

/**
 * Why one run's requests show that the API did not answer, or undefined when they do not.
 * `exchanges`: the run's requests; those refused by testloom's own safety policy and those sent
 * outside any test are left out. `isBaseline`: whether a test is a baseline (a happy path); a suite
 * without any known baseline is judged on all its requests.
 */
export function unreachableReason(input: {
  baseUrl: string;
  exchanges: Exchange[];
  isBaseline: (test: { file: string; fullName: string }) => boolean;
  /** Appended after the counts, e.g. ` in run 2 of 3`. */
  when?: string;
}): string | undefined {
  const sent = input.exchanges.filter((e) => e.test && !e.refused);
  if (!sent.length) return undefined;
  const known = sent.filter((e) => input.isBaseline(e.test!));
  const baseline = known.length ? known : sent;
  const unansweredShare = (list: Exchange[]) => list.filter((e) => !answered(e)).length / list.length;
  if (unansweredShare(baseline) < UNREACHABLE_SHARE || unansweredShare(sent) < UNREACHABLE_SHARE) return undefined;
  const unanswered = baseline.filter((e) => !answered(e));
  const count = baseline.length - unanswered.length;
  const what = known.length ? 'baseline requests' : 'requests';
  const serverErrors = unanswered.some((e) => !e.error && e.status !== undefined);
  return `the API at ${input.baseUrl} answered ${count === 0 ? 'none' : `only ${count}`} of the ${baseline.length} ${what}${serverErrors ? ' without a server error' : ''}${input.when ?? ''} (${seenSummary(unanswered)})`;
}
