import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Tables } from '../../schema/tables';
import { createLocalIssueOnce, getCollaboratorPermission, getLocalIssue, upsertLocalIssueComment } from '../db/local-issues';
import { upsertReview } from '../db/reviews';
import { EMPTY_OID, branchHead, commitTree, hasCommit, diffCommits, initRepository, isRepository, listPath, listTree, mergeBase, readBlob, updateBranch, writeBlob, writeCommit, writeTree, type TreeEntry } from './git-store';
import { UnknownIssueError, type FileToCommit, type CommitRequest, type CommitResult, type Issue, type IssueCommentRequest, type IssueCommentResult, type NewIssueRequest, type NewIssueResult, type RepoHost, type RepositoryPermission, type ReviewRequest, type ReviewResult } from './types';

const BASE_BRANCH = 'main';
const IDENTITY = { name: 'testloom', email: 'testloom@localhost' };

/**
 * Repository host backed by real git repositories on disk (`<root>/<owner>/<name>`): the embedded
 * default. Commits are built from objects (blobs → tree → commit → compare-and-swap ref update),
 * the same shape as GitHub's git data API, in this process (git-store.ts), and never touch a
 * working tree. A "pull request" is a review record in the database holding the diff.
 */
export class LocalGitHost implements RepoHost {
  readonly kind = 'local' as const;

  constructor(private readonly root: string, private readonly db: Kysely<Tables>) {}

  async getIssue(repository: string, number: number): Promise<Issue> {
    const row = await getLocalIssue(this.db, repository, number);
    if (!row) throw new UnknownIssueError(repository, number);
    const { title, body, labels, author, state } = row;
    return { repository, number, title, body, labels, author, state, url: `local://${repository}/issues/${number}` };
  }

  /** The owner part of the repository name is its admin, as on GitHub; others need a collaborator entry. */
  async getPermission(repository: string, login: string): Promise<RepositoryPermission> {
    if (repository.split('/')[0].toLowerCase() === login.toLowerCase()) return 'admin';
    return (await getCollaboratorPermission(this.db, repository, login)) ?? 'none';
  }

  repositoryPath(repository: string): string {
    const [owner, name] = repository.split('/');
    if (!owner || !name || repository.split('/').length !== 2 || [owner, name].some((p) => p === '.' || p === '..')) {
      throw new Error(`repository must be owner/name, got "${repository}"`);
    }
    return path.join(this.root, owner, name);
  }

  /** Creates the repository with an initial commit on main if it does not exist yet. */
  async ensureRepository(repository: string): Promise<string> {
    const dir = this.repositoryPath(repository);
    if (!(await isRepository(dir))) await initRepository(dir, BASE_BRANCH);
    if (await branchHead(dir, BASE_BRANCH)) return dir;

    const readme = await writeBlob(dir, `# ${repository}\n\nLocal repository managed by testloom. Generated tests arrive on testloom/* branches.\n`);
    const tree = await writeTree(dir, [{ mode: '100644', path: 'README.md', oid: readme, type: 'blob' }]);
    const commit = await writeCommit(dir, { tree, parents: [], message: 'Initial commit', signature: { ...IDENTITY, date: new Date() } });
    try {
      await updateBranch(dir, BASE_BRANCH, commit, EMPTY_OID);
    } catch {
      // Another run created main at the same moment; theirs is as good as ours.
    }
    return dir;
  }

  async readFiles(repository: string, dir: string, commit?: string): Promise<FileToCommit[]> {
    const repoDir = this.repositoryPath(repository);
    if (commit !== undefined && !/^[0-9a-f]{40}$/.test(commit)) throw new Error(`not a commit sha: ${JSON.stringify(commit)}`);
    if (!(await isRepository(repoDir))) return [];
    const head = commit ?? (await branchHead(repoDir, BASE_BRANCH));
    // A commit the repository does not hold (a webhook naming one pushed elsewhere) has no files here.
    if (!head || (commit !== undefined && !(await hasCommit(repoDir, commit)))) return [];
    const blobs = (await listPath(repoDir, head, dir)).filter((entry) => entry.type === 'blob');
    return Promise.all(blobs.map(async ({ oid, path: file }) => ({ path: file, content: await readBlob(repoDir, oid) })));
  }

  async commitFiles(request: CommitRequest): Promise<CommitResult> {
    const dir = this.repositoryPath(request.repository);
    let baseSha = await branchHead(dir, BASE_BRANCH);
    if (!baseSha) {
      await this.ensureRepository(request.repository);
      baseSha = (await branchHead(dir, BASE_BRANCH))!;
    }
    const branchSha = await branchHead(dir, request.branch);
    const parent = branchSha ?? baseSha;

    const tree = await this.buildTree(dir, parent, request);
    if (branchSha && (await commitTree(dir, branchSha)) === tree) {
      return { branch: request.branch, baseBranch: BASE_BRANCH, baseSha, commitSha: branchSha, created: false };
    }
    const commitSha = await writeCommit(dir, { tree, parents: [parent], message: request.message, signature: { ...IDENTITY, date: request.date } });
    // Compare-and-swap: fails if someone moved the branch since we read it; the retry re-reads.
    await updateBranch(dir, request.branch, commitSha, branchSha ?? EMPTY_OID);
    return { branch: request.branch, baseBranch: BASE_BRANCH, baseSha, commitSha, created: true };
  }

  /** The tree of `parent` with the request's files written over it and anything else under the owned folders left out. */
  private async buildTree(dir: string, parent: string, request: CommitRequest): Promise<string> {
    const wanted = new Set(request.files.map((file) => file.path));
    const owned = request.ownedDirs.map((folder) => `${folder.replace(/\/$/, '')}/`);
    const kept = (await listTree(dir, parent)).filter((entry) => !wanted.has(entry.path) && !owned.some((folder) => entry.path.startsWith(folder)));
    const written = await Promise.all(request.files.map(async (file): Promise<TreeEntry> => ({
      mode: '100644', path: file.path, oid: await writeBlob(dir, file.content), type: 'blob',
    })));
    return writeTree(dir, [...kept, ...written]);
  }

  async openOrUpdateReview(request: ReviewRequest): Promise<ReviewResult> {
    const dir = this.repositoryPath(request.repository);
    const headSha = await branchHead(dir, request.headBranch);
    if (!headSha) throw new Error(`branch ${request.headBranch} does not exist in ${request.repository}`);
    const baseSha = await branchHead(dir, request.baseBranch);
    // What `git diff base...head` shows: the head's changes since it left the base.
    const diff = await diffCommits(dir, baseSha && (await mergeBase(dir, baseSha, headSha)), headSha);
    const { id, created } = await upsertReview(this.db, {
      repository: request.repository,
      headBranch: request.headBranch,
      baseBranch: request.baseBranch,
      title: request.title,
      body: request.body,
      diff,
      headSha,
      runId: request.runId,
    });
    return { id, url: `local://${request.repository}/reviews/${id}`, created };
  }

  async upsertIssueComment(request: IssueCommentRequest): Promise<IssueCommentResult> {
    if (!request.body.includes(request.marker)) throw new Error(`the comment body must contain its marker ${request.marker}`);
    const { comment, created } = await upsertLocalIssueComment(this.db, request);
    const id = Number(comment.id);
    return { id, url: `local://${request.repository}/issues/${request.issueNumber}#comment-${id}`, created };
  }

  async createIssue(request: NewIssueRequest): Promise<NewIssueResult> {
    if (!request.body.includes(request.marker)) throw new Error(`the issue body must contain its marker ${request.marker}`);
    const { number, created } = await createLocalIssueOnce(this.db, { ...request, author: IDENTITY.name });
    return { number, url: `local://${request.repository}/issues/${number}`, created };
  }
}
