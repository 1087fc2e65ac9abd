import { UnknownIssueError, type FileToCommit, type CommitRequest, type CommitResult, type Issue, type IssueCommentRequest, type IssueCommentResult, type NewIssueRequest, type NewIssueResult, type RepoHost, type RepositoryPermission, type ReviewRequest, type ReviewResult } from '../types';
import type { GitHubAuth } from '../../config';
import { createOctokit, type GitHubClientSettings, type Octokit } from './client';
import { commitThroughGitData } from './commit';
import { isGitHubRequestError, toActivityFailure, type GitHubCall } from './errors';
import { repositoryName, type RepositoryName } from './repository';

/** Labels every testloom pull request carries. */
const REVIEW_LABELS = ['testloom'];

const PERMISSIONS: RepositoryPermission[] = ['admin', 'maintain', 'write', 'triage', 'read', 'none'];

/**
 * Delivers to GitHub through Octokit. Every operation finds before it creates, so any of them can
 * be repeated after a crash at any point; a failed request becomes the Temporal failure that says
 * whether and when to retry (errors.ts).
 */
export class GitHubRepoHost implements RepoHost {
  readonly kind = 'github' as const;
  private client?: Promise<Octokit>;

  constructor(private readonly settings: GitHubClientSettings) {}

  private octokit(): Promise<Octokit> {
    this.client ??= createOctokit(this.settings);
    return this.client;
  }

  get auth(): GitHubAuth {
    return this.settings.auth;
  }

  private async call<T>(call: GitHubCall, work: (octokit: Octokit) => Promise<T>): Promise<T> {
    try {
      return await work(await this.octokit());
    } catch (err) {
      throw toActivityFailure(err, call, this.settings.auth);
    }
  }

  async getIssue(repository: string, number: number): Promise<Issue> {
    const repo = repositoryName(repository);
    const issue = await this.call({ action: `reading issue #${number}`, repository }, async (octokit) => {
      try {
        return (await octokit.issues.get({ ...repo, issue_number: number })).data;
      } catch (err) {
        // 404: no such issue; 410: deleted. A 404 for a missing repository reads the same on GitHub.
        if (isGitHubRequestError(err) && (err.status === 404 || err.status === 410)) return undefined;
        throw err;
      }
    });
    // The issues API answers for pull requests too; a pull request is not an issue to generate from.
    if (!issue || issue.pull_request) throw new UnknownIssueError(repository, number);
    return {
      repository,
      number,
      title: issue.title,
      body: issue.body ?? '',
      labels: issue.labels.map((label) => (typeof label === 'string' ? label : label.name ?? '')).filter(Boolean),
      author: issue.user?.login ?? 'ghost',
      state: issue.state === 'closed' ? 'closed' : 'open',
      url: issue.html_url,
    };
  }

  async getPermission(repository: string, login: string): Promise<RepositoryPermission> {
    const repo = repositoryName(repository);
    return this.call({ action: `reading the permission of ${login}`, repository }, async (octokit) => {
      try {
        const { data } = await octokit.repos.getCollaboratorPermissionLevel({ ...repo, username: login });
        // role_name is the finer one (maintain, triage); permission the legacy admin/write/read/none.
        const role = (data.role_name ?? data.permission) as RepositoryPermission;
        return PERMISSIONS.includes(role) ? role : (data.permission as RepositoryPermission);
      } catch (err) {
        if (isGitHubRequestError(err) && err.status === 404) return 'none'; // not a user, or no access at all
        throw err;
      }
    });
  }

  async commitFiles(request: CommitRequest): Promise<CommitResult> {
    const repo = repositoryName(request.repository);
    return this.call({ action: `committing to ${request.branch}`, repository: request.repository }, (octokit) =>
      commitThroughGitData(octokit, repo, request),
    );
  }

  async openOrUpdateReview(request: ReviewRequest): Promise<ReviewResult> {
    const repo = repositoryName(request.repository);
    return this.call({ action: `opening the pull request for ${request.headBranch}`, repository: request.repository }, async (octokit) => {
      const head = `${repo.owner}:${request.headBranch}`;
      const open = await octokit.paginate(octokit.pulls.list, { ...repo, head, state: 'open', per_page: 100 });
      const existing = open.find((pull) => pull.head.ref === request.headBranch);
      let pull: { number: number; html_url: string };
      if (existing) {
        pull = (await octokit.pulls.update({ ...repo, pull_number: existing.number, title: request.title, body: request.body })).data;
      } else {
        pull = (await octokit.pulls.create({ ...repo, head: request.headBranch, base: request.baseBranch, title: request.title, body: request.body })).data;
      }
      // Adding a label the pull request already has changes nothing, so this is safe to repeat.
      await octokit.issues.addLabels({ ...repo, issue_number: pull.number, labels: [...new Set([...REVIEW_LABELS, ...(request.labels ?? [])])] });
      return { id: pull.number, url: pull.html_url, created: !existing };
    });
  }

  async readFiles(repository: string, dir: string, atCommit?: string): Promise<FileToCommit[]> {
    const repo = repositoryName(repository);
    const prefix = `${dir.replace(/\/+$/, '')}/`;
    return this.call({ action: `reading ${prefix}`, repository }, async (octokit) => {
      const head = atCommit ?? (await defaultHead(octokit, repo));
      if (!head) return [];
      const { data: commit } = await octokit.git.getCommit({ ...repo, commit_sha: head });
      const { data: tree } = await octokit.git.getTree({ ...repo, tree_sha: commit.tree.sha, recursive: 'true' });
      if (tree.truncated) throw new Error(`the tree of ${repository} is too large to list in one request (GitHub truncated it)`);
      const blobs = tree.tree.filter((entry) => entry.type === 'blob' && entry.sha && (entry.path === prefix.slice(0, -1) || entry.path?.startsWith(prefix)));
      return Promise.all(
        blobs.map(async (entry) => {
          const { data } = await octokit.git.getBlob({ ...repo, file_sha: entry.sha });
          return { path: entry.path, content: Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8') };
        }),
      );
    });
  }

  async upsertIssueComment(request: IssueCommentRequest): Promise<IssueCommentResult> {
    if (!request.body.includes(request.marker)) throw new Error(`the comment body must contain its marker ${request.marker}`);
    const repo = repositoryName(request.repository);
    return this.call({ action: `commenting on issue #${request.issueNumber}`, repository: request.repository }, async (octokit) => {
      let found: { id: number } | undefined;
      for await (const page of octokit.paginate.iterator(octokit.issues.listComments, { ...repo, issue_number: request.issueNumber, per_page: 100 })) {
        found = page.data.find((comment) => comment.body?.includes(request.marker));
        if (found) break;
      }
      if (found) {
        const { data } = await octokit.issues.updateComment({ ...repo, comment_id: found.id, body: request.body });
        return { id: data.id, url: data.html_url, created: false };
      }
      const { data } = await octokit.issues.createComment({ ...repo, issue_number: request.issueNumber, body: request.body });
      return { id: data.id, url: data.html_url, created: true };
    });
  }

  async createIssue(request: NewIssueRequest): Promise<NewIssueResult> {
    if (!request.body.includes(request.marker)) throw new Error(`the issue body must contain its marker ${request.marker}`);
    const repo = repositoryName(request.repository);
    return this.call({ action: `opening the issue "${request.title}"`, repository: request.repository }, async (octokit) => {
      // testloom's issues carry its labels: only those are searched for the marker (the issues API lists pull requests too).
      const labels = request.labels.join(',');
      for await (const page of octokit.paginate.iterator(octokit.issues.listForRepo, { ...repo, state: 'all', labels, per_page: 100 })) {
        const found = page.data.find((issue) => !issue.pull_request && issue.body?.includes(request.marker));
        if (found) return { number: found.number, url: found.html_url, created: false };
      }
      const { data } = await octokit.issues.create({ ...repo, title: request.title, body: request.body, labels: request.labels });
      return { number: data.number, url: data.html_url, created: true };
    });
  }
}

/** The commit at the head of the default branch; undefined for a repository with no commits yet. */
async function defaultHead(octokit: Octokit, repo: RepositoryName): Promise<string | undefined> {
  const { data } = await octokit.repos.get(repo);
  try {
    return (await octokit.git.getRef({ ...repo, ref: `heads/${data.default_branch}` })).data.object.sha;
  } catch (err) {
    // 404: no such branch; 409: "Git Repository is empty".
    if (isGitHubRequestError(err) && (err.status === 404 || err.status === 409)) return undefined;
    throw err;
  }
}
