/**
 * The Octokit client the GitHub host uses: a token, or a GitHub App installation through
 * `@octokit/auth-app`; any API base URL (GitHub Enterprise Server: https://<host>/api/v3).
 *
 * Octokit's retry and throttling plugins are deliberately left out: both sleep inside the call
 * (throttling for a whole rate-limit window), which would hide the wait inside a heartbeating
 * activity. Every failure goes to Temporal instead (errors.ts), which retries the stage after
 * exactly the delay GitHub announced, durably and visibly in the run's stage history.
 */
import type { Octokit } from '@octokit/rest' with { 'resolution-mode': 'import' };
import type { GitHubAuth } from '../../config';

export type { Octokit };

export interface GitHubClientSettings {
  apiUrl: string;
  auth: GitHubAuth;
  userAgent?: string;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export async function createOctokit(settings: GitHubClientSettings): Promise<Octokit> {
  const { Octokit } = await import('@octokit/rest');
  const common = {
    baseUrl: settings.apiUrl,
    userAgent: settings.userAgent ?? 'testloom',
    // Octokit logs deprecations and failed requests through console; failures reach the stage log instead.
    log: quiet,
  };
  if (settings.auth.kind === 'token') return new Octokit({ ...common, auth: settings.auth.token });
  const { createAppAuth } = await import('@octokit/auth-app');
  return new Octokit({
    ...common,
    authStrategy: createAppAuth,
    auth: { appId: settings.auth.appId, privateKey: settings.auth.privateKey, installationId: settings.auth.installationId },
  });
}
