/**
 * Shared pieces of the GitHub delivery tests: a scripted model answer for issue runs, and what a
 * repository on the local GitHub server holds after runs (branches, commits, pull requests, comments).
 */
import type { RecordedRequest } from '../support/github-server/server';
import { ISSUE_BODY, ISSUE_TITLE } from '../support/issue-cases';
import { runGit } from '../support/github-server/git';
import type { GitHubServer, StoredRepo } from '../support/github-server/server';

export { CRITERIA, ISSUE_CASES } from '../support/issue-cases';

export function addLabelledIssue(server: GitHubServer, repo: StoredRepo, number: number) {
  return server.state.addIssue(repo, {
    number,
    title: ISSUE_TITLE,
    body: ISSUE_BODY,
    user: 'alice',
    labels: ['generate-tests'],
  });
}

export interface Delivered {
  /** Branches other than the default one. */
  branches: string[];
  /** Commits on `branch` that the default branch does not have, newest first. */
  commits: string[];
  /** Parent of the oldest of them. */
  parentOfFirst?: string;
  defaultHead: string;
  pulls: Array<{ number: number; head: string; base: string; title: string; body: string | null; labels: string[]; state: string }>;
  comments: Array<{ id: number; issueNumber: number; body: string; user: string }>;
}

export async function delivered(repo: StoredRepo, branch: string): Promise<Delivered> {
  const git = (...args: string[]) => runGit(repo.gitDir, args);
  const refs = (await git('for-each-ref', '--format=%(refname:short)', 'refs/heads/')).split('\n').filter(Boolean);
  const branches = refs.filter((r) => r !== repo.defaultBranch);
  const defaultHead = await git('rev-parse', `refs/heads/${repo.defaultBranch}`);
  const commits = branches.includes(branch) ? (await git('rev-list', `${repo.defaultBranch}..${branch}`)).split('\n').filter(Boolean) : [];
  const parentOfFirst = commits.length ? (await git('rev-parse', `${commits[commits.length - 1]}^`)) : undefined;
  const pulls = [...repo.pulls.values()].map((pull) => {
    const issue = repo.issues.get(pull.number)!;
    return { number: pull.number, head: pull.head, base: pull.base, title: issue.title, body: issue.body, labels: issue.labels, state: issue.state };
  });
  const comments = [...repo.comments.values()].map(({ id, issueNumber, body, user }) => ({ id, issueNumber, body, user }));
  return { branches, commits, parentOfFirst, defaultHead, pulls, comments };
}

/** Requests the server answered (not faults) for one operation. */
export function answered(server: GitHubServer, operationId: string): RecordedRequest[] {
  return server.requests.filter((r) => r.operationId === operationId && !r.fault && r.status > 0);
}
