export { GitHubRepoHost } from './host';
export { createOctokit, type GitHubClientSettings } from './client';
export { toActivityFailure, isGitHubRequestError } from './errors';
