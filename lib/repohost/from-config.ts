import type { Kysely } from 'kysely';
import type { Tables } from '../../schema/tables';
import type { Config } from '../config';
import { GitHubRepoHost } from './github';
import { LocalGitHost } from './local-git';
import type { RepoHost } from './types';

/** The repository host the configuration names (TESTLOOM_REPO_HOST): GitHub, or local git repositories. */
export function createRepoHost(config: Pick<Config, 'repos' | 'github'>, db: Kysely<Tables>): RepoHost {
  if (config.repos.host === 'github') {
    if (!config.github.auth) throw new Error('TESTLOOM_REPO_HOST=github needs GITHUB_TOKEN or a GitHub App (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_APP_INSTALLATION_ID)');
    return new GitHubRepoHost({ apiUrl: config.github.apiUrl, auth: config.github.auth });
  }
  return new LocalGitHost(config.repos.root, db);
}
