/**
 * GitHub's answers mapped to what Temporal should do with the activity attempt:
 *  - 429, or a secondary-rate-limit 403, with `retry-after` → retry after exactly that delay;
 *  - a primary limit (403/429 with `x-ratelimit-remaining: 0`) → retry when `x-ratelimit-reset` says;
 *  - 5xx and network failures → plain retryable (the stage's backoff);
 *  - 401, 403 (no permission), 404 (no repository), 422 (protected branch, invalid) → non-retryable,
 *    with a message that says what to fix.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { GitHubAuth } from '../../config';

/** The shape of Octokit's RequestError (duck-typed: the class lives in an ESM-only package). */
export interface GitHubRequestError extends Error {
  status: number;
  response?: { headers: Record<string, string | number | undefined>; data?: unknown };
}

export function isGitHubRequestError(err: unknown): err is GitHubRequestError {
  return err instanceof Error && err.name === 'HttpError' && typeof (err as GitHubRequestError).status === 'number';
}

/** GitHub says "wait at least a minute" when a secondary limit comes without `retry-after`. */
const SECONDARY_LIMIT_FALLBACK_MS = 60_000;

export type FailureType =
  | 'GitHubRateLimited'
  | 'GitHubUnavailable'
  | 'GitHubBadCredentials'
  | 'GitHubForbidden'
  | 'GitHubNotFound'
  | 'GitHubRejected'
  | 'GitHubConflict';

/** What was being done, for messages: "creating the pull request for testloom/issue-3 in acme/shop". */
export interface GitHubCall {
  action: string;
  repository: string;
}

function header(err: GitHubRequestError, name: string): string | undefined {
  const value = err.response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

function githubMessage(err: GitHubRequestError): string {
  const data = err.response?.data as { message?: string; errors?: unknown[] } | undefined;
  const message = data?.message ?? err.message;
  const details = (data?.errors ?? [])
    .map((e) => (typeof e === 'string' ? e : (e as { message?: string; field?: string; code?: string }).message ?? [(e as { field?: string }).field, (e as { code?: string }).code].filter(Boolean).join(' ')))
    .filter(Boolean);
  return details.length ? `${message} (${details.join('; ')})` : message;
}

function credentialName(auth: GitHubAuth | undefined): string {
  return auth?.kind === 'app'
    ? 'the GitHub App credentials (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_APP_INSTALLATION_ID)'
    : 'GITHUB_TOKEN';
}

/** Milliseconds GitHub asked us to wait, or undefined when the failure is not a rate limit. */
function rateLimitDelayMs(err: GitHubRequestError, now = Date.now()): number | undefined {
  if (err.status !== 403 && err.status !== 429) return undefined;
  const retryAfter = header(err, 'retry-after');
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
  if (header(err, 'x-ratelimit-remaining') === '0') {
    const reset = Number(header(err, 'x-ratelimit-reset'));
    // The reset is whole seconds: wait until that second has begun, never less than one second.
    return Number.isFinite(reset) ? Math.max(1000, reset * 1000 - now) : SECONDARY_LIMIT_FALLBACK_MS;
  }
  if (err.status === 429 || /secondary rate limit/i.test(githubMessage(err))) return SECONDARY_LIMIT_FALLBACK_MS;
  return undefined;
}

function failure(
  message: string,
  type: FailureType,
  options: { nonRetryable?: boolean; nextRetryDelay?: number; cause?: Error } = {},
): ApplicationFailure {
  const { nonRetryable = false, nextRetryDelay, cause } = options;
  return ApplicationFailure.create({ message, type, nonRetryable, nextRetryDelay, cause });
}

/**
 * The Temporal failure for a failed GitHub request. Anything that is not an HTTP answer from
 * GitHub (a bug, a DNS failure wrapped differently) is returned unchanged and retried by Temporal.
 */
export function toActivityFailure(err: unknown, call: GitHubCall, auth: GitHubAuth | undefined): unknown {
  if (!isGitHubRequestError(err)) return err;
  const what = `GitHub refused ${call.action} in ${call.repository}`;
  const said = `${err.status} ${githubMessage(err)}`;
  const delay = rateLimitDelayMs(err);
  if (delay !== undefined) {
    return failure(`GitHub rate limit while ${call.action} in ${call.repository} (${said}); retrying in ${Math.ceil(delay / 1000)}s`, 'GitHubRateLimited', { nextRetryDelay: delay, cause: err });
  }
  // No response at all (connection refused, reset, DNS): octokit reports it as a 500 without a response.
  if (err.status >= 500 || !err.response) {
    return failure(`GitHub unavailable while ${call.action} in ${call.repository} (${said})`, 'GitHubUnavailable', { cause: err });
  }
  switch (err.status) {
    case 401:
      return failure(`${what}: ${said}: the credential is invalid or expired, fix ${credentialName(auth)}`, 'GitHubBadCredentials', { nonRetryable: true, cause: err });
    case 403:
      return failure(`${what}: ${said}: give ${credentialName(auth)} write access to ${call.repository} (contents, pull requests and issues)`, 'GitHubForbidden', { nonRetryable: true, cause: err });
    case 404:
      return failure(`${what}: ${said}: check that the repository ${call.repository} exists and that ${credentialName(auth)} can see it`, 'GitHubNotFound', { nonRetryable: true, cause: err });
    case 409:
      // A concurrent change (e.g. a ref moved between read and write): reading again fixes it.
      return failure(`GitHub conflict while ${call.action} in ${call.repository} (${said})`, 'GitHubConflict', { cause: err });
    case 422:
      return failure(`${what}: ${said}: check branch protection rules for testloom/* branches and the request's contents`, 'GitHubRejected', { nonRetryable: true, cause: err });
    default:
      return failure(`${what}: ${said}`, 'GitHubRejected', { nonRetryable: err.status >= 400 && err.status < 500, cause: err });
  }
}
