/**
 * git as the tests run it: through the Jest worker's one git helper process (git-helper.js, lent by
 * node-environment.js), from which git forks cheaply where the large Jest worker would not; outside
 * Jest, a helper of this process.
 */
import * as ownHelper from './git-helper';
import type { GitResult, GitRunOptions } from './git-helper';

const helper = (globalThis as { __gitHelper?: typeof ownHelper }).__gitHelper ?? ownHelper;

export function execGit(cwd: string, args: string[], opts: GitRunOptions = {}): Promise<GitResult> {
  return helper.runGit(cwd, args, opts);
}
