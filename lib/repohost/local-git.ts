import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Tables } from '../../schema/tables';
import { getCollaboratorPermission, getLocalIssue, upsertLocalIssueComment } from '../db/local-issues';
import { upsertReview } from '../db/reviews';
import { EMPTY_OID, git, revParse } from './git';
import { UnknownIssueError, type FileToCommit, type CommitRequest, type CommitResult, type Issue, type IssueCommentRequest, type IssueCommentResult, type RepoHost, type RepositoryPermission, type ReviewRequest, type ReviewResult } from './types';

const BASE_BRANCH = 'main';
const IDENTITY = { name: 'testloom', email: 'testloom@localhost' };

function identityEnv(date: Date): Record<string, string> {
  const when = `@${Math.floor(date.getTime() / 1000)} +0000`;
  return {
    GIT_AUTHOR_NAME: IDENTITY.name,
    GIT_AUTHOR_EMAIL: IDENTITY.email,
    GIT_AUTHOR_DATE: when,
    GIT_COMMITTER_NAME: IDENTITY.name,
    GIT_COMMITTER_EMAIL: IDENTITY.email,
    GIT_COMMITTER_DATE: when,
  };
}

/**
 * Repository host backed by real git repositories on disk (`<root>/<owner>/<name>`): the embedded
 * default. Commits are built with plumbing (blobs → tree → commit → compare-and-swap ref update),
 * the same shape as GitHub's git data API, and never touch a working tree. A "pull request" is a
 * review record in the database holding the diff.
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
    await fs.mkdir(dir, { recursive: true });
    await git(dir, ['init', '--quiet', '--initial-branch', BASE_BRANCH]);
    if (await revParse(dir, `refs/heads/${BASE_BRANCH}`)) return dir;

    const readme = await git(dir, ['hash-object', '-w', '--stdin'], {
      input: `# ${repository}\n\nLocal repository managed by testloom. Generated tests arrive on testloom/* branches.\n`,
    });
    const tree = await git(dir, ['mktree'], { input: `100644 blob ${readme}\tREADME.md\n` });
    const commit = await git(dir, ['commit-tree', tree, '-m', 'Initial commit'], { env: identityEnv(new Date()) });
    try {
      await git(dir, ['update-ref', `refs/heads/${BASE_BRANCH}`, commit, EMPTY_OID]);
    } catch {
      // Another run created main at the same moment; theirs is as good as ours.
    }
    return dir;
  }

  async readFiles(repository: string, dir: string): Promise<FileToCommit[]> {
    const repoDir = this.repositoryPath(repository);
    const head = await fs.access(repoDir).then(() => revParse(repoDir, `refs/heads/${BASE_BRANCH}`), () => undefined);
    if (!head) return [];
    // -z: paths verbatim; each entry is "<mode> <type> <sha>\t<path>".
    const listing = await git(repoDir, ['ls-tree', '-r', '-z', head, '--', dir.replace(/\/+$/, '')], { raw: true });
    const blobs = listing.split('\0').filter(Boolean).map((entry) => {
      const [meta, file] = entry.split('\t');
      const [, type, sha] = meta.split(' ');
      return { type, sha, file };
    }).filter((entry) => entry.type === 'blob');
    return Promise.all(blobs.map(async ({ sha, file }) => ({ path: file, content: await git(repoDir, ['cat-file', 'blob', sha], { raw: true }) })));
  }

  async commitFiles(request: CommitRequest): Promise<CommitResult> {
    const dir = await this.ensureRepository(request.repository);
    const baseSha = (await revParse(dir, `refs/heads/${BASE_BRANCH}`))!;
    const branchSha = await revParse(dir, `refs/heads/${request.branch}`);
    const parent = branchSha ?? baseSha;

    const tree = await this.buildTree(dir, parent, request);
    if (branchSha && (await git(dir, ['rev-parse', `${branchSha}^{tree}`])) === tree) {
      return { branch: request.branch, baseBranch: BASE_BRANCH, baseSha, commitSha: branchSha, created: false };
    }
    const commitSha = await git(dir, ['commit-tree', tree, '-p', parent, '-F', '-'], {
      input: request.message,
      env: identityEnv(request.date),
    });
    // Compare-and-swap: fails if someone moved the branch since we read it; the retry re-reads.
    await git(dir, ['update-ref', `refs/heads/${request.branch}`, commitSha, branchSha ?? EMPTY_OID]);
    return { branch: request.branch, baseBranch: BASE_BRANCH, baseSha, commitSha, created: true };
  }

  private async buildTree(dir: string, parent: string, request: CommitRequest): Promise<string> {
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-index-'));
    const env = { GIT_INDEX_FILE: path.join(scratch, 'index') };
    try {
      await git(dir, ['read-tree', parent], { env });
      const wanted = new Set(request.files.map((file) => file.path));
      const existing = (await git(dir, ['ls-files', '-z'], { env })).split('\0').filter(Boolean);
      const stale = existing.filter(
        (file) => !wanted.has(file) && request.ownedDirs.some((owned) => file.startsWith(`${owned.replace(/\/$/, '')}/`)),
      );
      if (stale.length) await git(dir, ['rm', '--cached', '--quiet', '--', ...stale], { env });
      if (request.files.length) {
        // One git process writes every blob, one more puts them all in the index: the files are
        // written to the scratch directory under their position, so no path needs quoting.
        const sources = await Promise.all(request.files.map(async (file, index) => {
          const source = path.join(scratch, String(index));
          await fs.writeFile(source, file.content);
          return source;
        }));
        const blobs = (await git(dir, ['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: `${sources.join('\n')}\n` })).split('\n');
        const entries = request.files.map((file, index) => `100644 ${blobs[index]}\t${file.path}\0`).join('');
        await git(dir, ['update-index', '-z', '--add', '--index-info'], { env, input: entries });
      }
      return await git(dir, ['write-tree'], { env });
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
  }

  async openOrUpdateReview(request: ReviewRequest): Promise<ReviewResult> {
    const dir = this.repositoryPath(request.repository);
    const headSha = await revParse(dir, `refs/heads/${request.headBranch}`);
    if (!headSha) throw new Error(`branch ${request.headBranch} does not exist in ${request.repository}`);
    const diff = await git(dir, ['diff', `${request.baseBranch}...${request.headBranch}`]);
    const { review, created } = await upsertReview(this.db, {
      repository: request.repository,
      headBranch: request.headBranch,
      baseBranch: request.baseBranch,
      title: request.title,
      body: request.body,
      diff,
      headSha,
      runId: request.runId,
    });
    return { id: Number(review.id), url: `local://${request.repository}/reviews/${review.id}`, created };
  }

  async upsertIssueComment(request: IssueCommentRequest): Promise<IssueCommentResult> {
    if (!request.body.includes(request.marker)) throw new Error(`the comment body must contain its marker ${request.marker}`);
    const { comment, created } = await upsertLocalIssueComment(this.db, request);
    const id = Number(comment.id);
    return { id, url: `local://${request.repository}/issues/${request.issueNumber}#comment-${id}`, created };
  }
}
