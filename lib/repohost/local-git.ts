import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Tables } from '../../schema/tables';
import { createLocalIssueOnce, getCollaboratorPermission, getLocalIssue, upsertLocalIssueComment } from '../db/local-issues';
import { upsertReview } from '../db/reviews';
import { EMPTY_OID, git, revParse } from './git';
import { UnknownIssueError, type FileToCommit, type CommitRequest, type CommitResult, type Issue, type IssueCommentRequest, type IssueCommentResult, type NewIssueRequest, type NewIssueResult, type RepoHost, type RepositoryPermission, type ReviewRequest, type ReviewResult } from './types';

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

  async readFiles(repository: string, dir: string, commit?: string): Promise<FileToCommit[]> {
    const repoDir = this.repositoryPath(repository);
    if (commit !== undefined && !/^[0-9a-f]{40}$/.test(commit)) throw new Error(`not a commit sha: ${JSON.stringify(commit)}`);
    const head = await fs.access(repoDir).then(() => revParse(repoDir, commit ?? `refs/heads/${BASE_BRANCH}`), () => undefined);
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
    const dir = this.repositoryPath(request.repository);
    const refs = [BASE_BRANCH, request.branch];
    let heads = await this.heads(dir, refs);
    if (!heads.has(BASE_BRANCH)) {
      await this.ensureRepository(request.repository);
      heads = await this.heads(dir, refs);
    }
    const baseSha = heads.get(BASE_BRANCH)!;
    const branchSha = heads.get(request.branch);
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

  /**
   * Where the given branches point, read by one git process; a branch that does not exist (or a
   * repository that does not) is absent. Only a directory with its own `.git` is asked: git would
   * otherwise answer for a repository around it.
   */
  private async heads(dir: string, branches: string[]): Promise<Map<string, string>> {
    const heads = new Map<string, string>();
    if (!(await fs.access(path.join(dir, '.git', 'HEAD')).then(() => true, () => false))) return heads;
    const listing = await git(dir, ['for-each-ref', '--format=%(objectname) %(refname)', ...branches.map((branch) => `refs/heads/${branch}`)]);
    for (const line of listing.split('\n').filter(Boolean)) {
      const [sha, ref] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
      const branch = branches.find((name) => ref === `refs/heads/${name}`); // a pattern also matches refs below it
      if (branch) heads.set(branch, sha);
    }
    return heads;
  }

  /**
   * The tree of `parent` with the request's files written over it and anything else under the
   * owned folders left out. One process lists the parent's tree, one writes every blob, one fills a
   * scratch index with what is kept and what is new, one writes the tree: four git processes
   * whatever the number of files.
   */
  private async buildTree(dir: string, parent: string, request: CommitRequest): Promise<string> {
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-index-'));
    const env = { GIT_INDEX_FILE: path.join(scratch, 'index') };
    try {
      const wanted = new Set(request.files.map((file) => file.path));
      const owned = request.ownedDirs.map((folder) => `${folder.replace(/\/$/, '')}/`);
      // -z: "<mode> <type> <sha>\t<path>" with the path verbatim, a form --index-info reads back.
      const kept = (await git(dir, ['ls-tree', '-r', '-z', '--full-tree', parent], { raw: true })).split('\0').filter((entry) => {
        const file = entry.slice(entry.indexOf('\t') + 1);
        return entry !== '' && !wanted.has(file) && !owned.some((folder) => file.startsWith(folder));
      });
      // Written to the scratch directory under their position, so no path needs quoting.
      const sources = await Promise.all(request.files.map(async (file, index) => {
        const source = path.join(scratch, String(index));
        await fs.writeFile(source, file.content);
        return source;
      }));
      const blobs = sources.length ? (await git(dir, ['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: `${sources.join('\n')}\n` })).split('\n') : [];
      const entries = [...kept, ...request.files.map((file, index) => `100644 ${blobs[index]}\t${file.path}`)];
      if (entries.length) await git(dir, ['update-index', '-z', '--add', '--index-info'], { env, input: `${entries.join('\0')}\0` });
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

  async createIssue(request: NewIssueRequest): Promise<NewIssueResult> {
    if (!request.body.includes(request.marker)) throw new Error(`the issue body must contain its marker ${request.marker}`);
    const { number, created } = await createLocalIssueOnce(this.db, { ...request, author: IDENTITY.name });
    return { number, url: `local://${request.repository}/issues/${number}`, created };
  }
}
