export { GitHubRepoHost, REVIEW_LABELS } from './host';
export { createOctokit, type GitHubClientSettings } from './client';
export { toActivityFailure, rateLimitDelayMs, credentialName, isGitHubRequestError } from './errors';
