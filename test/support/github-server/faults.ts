/**
 * Scripted failures of the local GitHub server, shaped as GitHub sends them:
 *  - 500/502/503: `{ message: 'Server Error' }`
 *  - 429: `retry-after` header, rate-limit body
 *  - 403 secondary rate limit: GitHub's "You have exceeded a secondary rate limit" body + `retry-after`
 *  - 403 primary rate limit: `x-ratelimit-remaining: 0` + `x-ratelimit-reset`, "API rate limit exceeded"
 *  - 401: "Bad credentials"
 * Fault answers are not contract-checked: GitHub sends them for any operation, documented or not.
 */
export interface FaultSpec {
  method?: string;
  /** An OpenAPI path template ('/repos/{owner}/{repo}/git/refs') or a regex over the request path. */
  path?: string | RegExp;
  /** How many matching requests fail (default 1); then requests pass through again. */
  times?: number;
  status: 500 | 502 | 503 | 429 | 403 | 401;
  /** Seconds for `retry-after` (429, secondary 403). Default 1 for 429 / secondary. */
  retryAfter?: number;
  /** Epoch seconds for `x-ratelimit-reset` (primary 403; also sent with 429). Default now + 60. */
  rateLimitReset?: number;
  /** 403 only: the secondary rate limit (default) rather than the primary one. */
  secondary?: boolean;
}

export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface InjectedFault {
  spec: FaultSpec;
  remaining: number;
  /** Request paths this fault answered. */
  hits: string[];
}

export const SECONDARY_RATE_LIMIT_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';
export const PRIMARY_RATE_LIMIT_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit';

export class FaultInjector {
  readonly active: InjectedFault[] = [];

  inject(spec: FaultSpec): InjectedFault {
    const fault = { spec, remaining: spec.times ?? 1, hits: [] };
    this.active.push(fault);
    return fault;
  }

  clear(): void {
    this.active.length = 0;
  }

  /** Faults not yet used up. */
  pending(): InjectedFault[] {
    return this.active.filter((f) => f.remaining > 0);
  }

  take(method: string, pathname: string, template: string | undefined, requestId: string): FaultResponse | undefined {
    const fault = this.active.find((f) => f.remaining > 0 && matches(f.spec, method, pathname, template));
    if (!fault) return undefined;
    fault.remaining -= 1;
    fault.hits.push(pathname);
    return respond(fault.spec, requestId);
  }
}

function matches(spec: FaultSpec, method: string, pathname: string, template: string | undefined): boolean {
  if (spec.method && spec.method.toUpperCase() !== method.toUpperCase()) return false;
  if (spec.path === undefined) return true;
  if (spec.path instanceof RegExp) return spec.path.test(pathname);
  return spec.path === template || spec.path === pathname;
}

export function respond(spec: FaultSpec, requestId: string): FaultResponse {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const reset = String(spec.rateLimitReset ?? nowSeconds + 60);
  switch (spec.status) {
    case 500:
    case 502:
    case 503:
      return { status: spec.status, headers: {}, body: { message: spec.status === 500 ? 'Server Error' : spec.status === 502 ? 'Server Error' : 'Service Unavailable' } };
    case 401:
      return { status: 401, headers: {}, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } };
    case 429:
      return {
        status: 429,
        headers: { 'retry-after': String(spec.retryAfter ?? 1), 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': reset, 'x-ratelimit-resource': 'core' },
        body: { message: 'API rate limit exceeded for user ID 1000.', documentation_url: PRIMARY_RATE_LIMIT_DOCS, status: '429' },
      };
    case 403:
      if (spec.secondary ?? true) {
        return {
          status: 403,
          headers: { 'retry-after': String(spec.retryAfter ?? 1), 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4990', 'x-ratelimit-used': '10', 'x-ratelimit-reset': reset, 'x-ratelimit-resource': 'core' },
          body: {
            message: `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
            documentation_url: SECONDARY_RATE_LIMIT_DOCS,
            status: '403',
          },
        };
      }
      return {
        status: 403,
        headers: { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': reset, 'x-ratelimit-resource': 'core' },
        body: { message: 'API rate limit exceeded for user ID 1000.', documentation_url: PRIMARY_RATE_LIMIT_DOCS, status: '403' },
      };
  }
}
