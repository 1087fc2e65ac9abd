/**
 * One commit through GitHub's git data API, safe to repeat at any point:
 * default branch head → branch created at it if missing → blobs → tree (on the branch head's
 * tree; stale files under the owned folders deleted) → commit → fast-forward the branch.
 *
 * The commit's author and committer carry the request's fixed date, so a retry after a crash
 * between "commit created" and "ref updated" builds the very same commit (same sha) instead of
 * a second one; a retry after the ref moved finds the tree already there and writes nothing.
 */
import type { CommitRequest, CommitResult } from '../types';
import type { Octokit } from './client';
import { isGitHubRequestError } from './errors';
import type { RepositoryName } from './repository';

const IDENTITY = { name: 'testloom', email: 'testloom@users.noreply.github.com' };

async function refSha(octokit: Octokit, repo: RepositoryName, branch: string): Promise<string | undefined> {
  try {
    const { data } = await octokit.git.getRef({ ...repo, ref: `heads/${branch}` });
    return data.object.sha;
  } catch (err) {
    if (isGitHubRequestError(err) && err.status === 404) return undefined;
    throw err;
  }
}

/** The branch head, creating the branch at `baseSha` when it does not exist yet. */
async function ensureBranch(octokit: Octokit, repo: RepositoryName, branch: string, baseSha: string): Promise<string> {
  const existing = await refSha(octokit, repo, branch);
  if (existing) return existing;
  try {
    await octokit.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha: baseSha });
    return baseSha;
  } catch (err) {
    // Created by someone else since we looked ("Reference already exists"): use theirs.
    const raced = isGitHubRequestError(err) && err.status === 422 ? await refSha(octokit, repo, branch) : undefined;
    if (raced) return raced;
    throw err;
  }
}

function isBelow(file: string, dirs: string[]): boolean {
  return dirs.some((dir) => file.startsWith(`${dir.replace(/\/+$/, '')}/`));
}

export async function commitThroughGitData(octokit: Octokit, repo: RepositoryName, request: CommitRequest): Promise<CommitResult> {
  const { data: repository } = await octokit.repos.get(repo);
  const baseBranch = repository.default_branch;
  const baseSha = await refSha(octokit, repo, baseBranch);
  if (!baseSha) throw new Error(`${repo.owner}/${repo.repo} has no commit on its default branch ${baseBranch}: push an initial commit first`);
  const headSha = await ensureBranch(octokit, repo, request.branch, baseSha);

  const { data: head } = await octokit.git.getCommit({ ...repo, commit_sha: headSha });
  const { data: headTree } = await octokit.git.getTree({ ...repo, tree_sha: head.tree.sha, recursive: 'true' });
  if (headTree.truncated) throw new Error(`the tree of ${request.branch} in ${repo.owner}/${repo.repo} is too large for one listing`);
  const wanted = new Set(request.files.map((file) => file.path));
  const stale = headTree.tree
    .filter((entry) => entry.type === 'blob' && entry.path && !wanted.has(entry.path) && isBelow(entry.path, request.ownedDirs))
    .map((entry) => entry.path);

  const blobs = [];
  for (const file of request.files) {
    const { data } = await octokit.git.createBlob({ ...repo, content: Buffer.from(file.content, 'utf8').toString('base64'), encoding: 'base64' });
    blobs.push({ path: file.path, mode: '100644' as const, type: 'blob' as const, sha: data.sha });
  }
  const { data: tree } = await octokit.git.createTree({
    ...repo,
    base_tree: head.tree.sha,
    tree: [...blobs, ...stale.map((path) => ({ path, mode: '100644' as const, type: 'blob' as const, sha: null }))],
  });

  const result = { branch: request.branch, baseBranch, baseSha };
  // A branch of its own that already holds this tree: an earlier attempt (or run) delivered it.
  if (headSha !== baseSha && tree.sha === head.tree.sha) return { ...result, commitSha: headSha, created: false };

  const signature = { ...IDENTITY, date: request.date.toISOString().replace(/\.\d{3}Z$/, 'Z') };
  const { data: commit } = await octokit.git.createCommit({
    ...repo,
    message: request.message,
    tree: tree.sha,
    parents: [headSha],
    author: signature,
    committer: signature,
  });
  // Not forced: if the branch moved since we read it, this fails and the retry starts over from the new head.
  try {
    await octokit.git.updateRef({ ...repo, ref: `heads/${request.branch}`, sha: commit.sha, force: false });
  } catch (err) {
    if (isGitHubRequestError(err) && err.status === 422 && /fast.forward/i.test(err.message)) {
      throw new Error(`${request.branch} in ${repo.owner}/${repo.repo} moved while committing; the retry commits on its new head`, { cause: err });
    }
    throw err;
  }
  return { ...result, commitSha: commit.sha, created: true };
}
