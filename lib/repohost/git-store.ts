/**
 * Git objects and refs read and written inside this process (isomorphic-git), for the local
 * repository host. Starting a git process costs the parent a fork of itself, tens of milliseconds
 * of CPU for a process of testloom's size; a run used to start about twenty. Objects are written
 * to a temporary name and renamed, so a process killed mid-write never leaves a truncated object
 * that a retry would take for a finished one; branch updates take git's own lock file, so they
 * stay compare-and-swap against this process, other testloom processes and the git CLI alike.
 */
import { randomBytes } from 'node:crypto';
import nodeFs from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type * as Diff from 'diff';
import type * as IsomorphicGit from 'isomorphic-git';

/* eslint-disable @typescript-eslint/no-require-imports -- isomorphic-git (with pako) and diff are
   loaded by the first git operation, not by every process that may host a repository: together
   ~1 MB of code that an idle `testloom up`, or a command that commits nothing, would hold. */
let isomorphicGit: typeof IsomorphicGit.default | undefined;
const git = () => (isomorphicGit ??= (require('isomorphic-git') as typeof IsomorphicGit).default);
const diff = () => require('diff') as typeof Diff;
/* eslint-enable @typescript-eslint/no-require-imports */

/** No object: the old value of a ref that does not exist yet (as in git's own ref updates). */
export const EMPTY_OID = '0000000000000000000000000000000000000000';

export interface TreeEntry {
  mode: string;
  path: string;
  oid: string;
  type: 'blob' | 'tree' | 'commit';
}

export interface Signature {
  name: string;
  email: string;
  date: Date;
}

let partialSequence = 0;

/** node:fs whose writeFile never leaves half a file under its final name. */
const atomicFs = {
  ...nodeFs,
  promises: {
    ...fs,
    async writeFile(file: string, data: Uint8Array | string, options?: nodeFs.WriteFileOptions): Promise<void> {
      const partial = `${file}.${process.pid}.${++partialSequence}.partial`;
      try {
        await fs.writeFile(partial, data, options);
        await fs.rename(partial, file);
      } catch (err) {
        await fs.rm(partial, { force: true });
        throw err;
      }
    },
  },
};

const gitdir = (repoDir: string) => path.join(repoDir, '.git');
const options = (repoDir: string) => ({ fs: atomicFs, gitdir: gitdir(repoDir) });

/** Whether `repoDir` holds a repository of its own (git would otherwise answer for one around it). */
export function isRepository(repoDir: string): Promise<boolean> {
  return fs.access(path.join(gitdir(repoDir), 'HEAD')).then(() => true, () => false);
}

/** What `git init` writes on Linux (isomorphic-git's own defaults say filemode false, ignorecase true). */
const GIT_CONFIG = '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n';

/**
 * Creates an empty repository at `repoDir` whose HEAD names `initialBranch`, as `git init` would.
 * It is made under a temporary name beside `repoDir` and renamed into place, so a process killed
 * half-way never leaves a directory that looks like a repository without being one; when two
 * processes create the same repository at once, the first rename wins and the other's is removed.
 */
export async function initRepository(repoDir: string, initialBranch: string): Promise<void> {
  const staging = `${repoDir}.init-${randomBytes(6).toString('hex')}`;
  await fs.mkdir(path.dirname(repoDir), { recursive: true });
  try {
    await git().init({ fs: atomicFs, dir: staging, defaultBranch: checkedBranch(initialBranch) });
    await fs.writeFile(path.join(gitdir(staging), 'config'), GIT_CONFIG);
    await fs.rename(staging, repoDir);
  } catch (err) {
    if (!['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    // Another creator's rename came first: theirs is as good as ours. Anything else there is not ours to take.
    if (!(await isRepository(repoDir))) throw new Error(`${repoDir} exists and is not a git repository: move it away and try again`, { cause: err });
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/**
 * `branch` if git itself would accept it as a branch name (git check-ref-format): the name becomes a
 * path under .git/refs/heads, so `..`, an empty or hidden component, or a control character would
 * let it name another file.
 */
function checkedBranch(branch: string): string {
  const components = branch.split('/');
  const refused = components.some((part) => part === '' || part.startsWith('.') || part.endsWith('.lock'))
    || /\.\.|@\{|[ ~^:?*[\\]|\.$/.test(branch) || branch === '@'
    || [...branch].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
  if (refused) throw new Error(`not a valid branch name: ${JSON.stringify(branch)}`);
  return branch;
}

/** Where a branch points, or undefined when it (or the repository) does not exist. */
export async function branchHead(repoDir: string, branch: string): Promise<string | undefined> {
  try {
    return await git().resolveRef({ ...options(repoDir), ref: `refs/heads/${checkedBranch(branch)}` });
  } catch (err) {
    if (err instanceof git().Errors.NotFoundError) return undefined;
    throw err;
  }
}

/** Whether `oid` names a commit this repository holds. */
export async function hasCommit(repoDir: string, oid: string): Promise<boolean> {
  try {
    await git().readCommit({ ...options(repoDir), oid });
    return true;
  } catch (err) {
    if (err instanceof git().Errors.NotFoundError || err instanceof git().Errors.ObjectTypeError) return false;
    throw err;
  }
}

/** The tree of a commit. */
export async function commitTree(repoDir: string, oid: string): Promise<string> {
  return (await git().readCommit({ ...options(repoDir), oid })).commit.tree;
}

/** Every entry below `tree` (a tree or commit), paths relative to the root, subtrees descended into. */
export async function listTree(repoDir: string, tree: string, prefix = ''): Promise<TreeEntry[]> {
  const { tree: entries } = await git().readTree({ ...options(repoDir), oid: tree });
  const all: TreeEntry[] = [];
  for (const entry of entries) {
    const entryPath = prefix ? `${prefix}/${entry.path}` : entry.path;
    if (entry.type === 'tree') all.push(...(await listTree(repoDir, entry.oid, entryPath)));
    else all.push({ mode: entry.mode, path: entryPath, oid: entry.oid, type: entry.type });
  }
  return all;
}

/** The entries at `target` (a file, or a folder and everything below it) in `tree`; none when it is absent. */
export async function listPath(repoDir: string, tree: string, target: string): Promise<TreeEntry[]> {
  const parts = target.split('/').filter(Boolean);
  let oid = tree;
  for (const [i, part] of parts.entries()) {
    const { tree: entries } = await git().readTree({ ...options(repoDir), oid });
    const entry = entries.find((e) => e.path === part);
    if (!entry) return [];
    const entryPath = parts.slice(0, i + 1).join('/');
    if (entry.type !== 'tree') return i === parts.length - 1 ? [{ mode: entry.mode, path: entryPath, oid: entry.oid, type: entry.type }] : [];
    oid = entry.oid;
  }
  return listTree(repoDir, oid, parts.join('/'));
}

export async function readBlob(repoDir: string, oid: string): Promise<string> {
  return Buffer.from((await git().readBlob({ ...options(repoDir), oid })).blob).toString('utf8');
}

export function writeBlob(repoDir: string, content: string): Promise<string> {
  return git().writeBlob({ ...options(repoDir), blob: Buffer.from(content, 'utf8') });
}

/** Writes the trees for a flat list of file entries (paths with slashes) and returns the root tree's id. */
export async function writeTree(repoDir: string, entries: TreeEntry[]): Promise<string> {
  const files: TreeEntry[] = [];
  const folders = new Map<string, TreeEntry[]>();
  for (const entry of entries) {
    const slash = entry.path.indexOf('/');
    if (slash < 0) {
      files.push(entry);
      continue;
    }
    const folder = entry.path.slice(0, slash);
    folders.set(folder, [...(folders.get(folder) ?? []), { ...entry, path: entry.path.slice(slash + 1) }]);
  }
  const subtrees = await Promise.all([...folders].map(async ([folder, inside]) => ({
    mode: '040000', path: folder, oid: await writeTree(repoDir, inside), type: 'tree' as const,
  })));
  // isomorphic-git sorts the entries in git's tree order.
  return git().writeTree({ ...options(repoDir), tree: [...files, ...subtrees] });
}

/** A commit object; the same inputs always give the same id. */
export function writeCommit(repoDir: string, commit: { tree: string; parents: string[]; message: string; signature: Signature }): Promise<string> {
  const who = { name: commit.signature.name, email: commit.signature.email, timestamp: Math.floor(commit.signature.date.getTime() / 1000), timezoneOffset: 0 };
  const { tree, parents: parent, message } = commit;
  return git().writeCommit({ ...options(repoDir), commit: { tree, parent, message, author: who, committer: who } });
}

export class RefUpdateError extends Error {}

/** A live update holds a ref's lock for milliseconds; one older than this was left by a killed process. */
const STALE_LOCK_MS = 30_000;

async function takeLock(lock: string, branch: string): Promise<fs.FileHandle> {
  try {
    return await fs.open(lock, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const age = await fs.stat(lock).then((stat) => Date.now() - stat.mtimeMs, () => 0);
    if (age < STALE_LOCK_MS) throw new RefUpdateError(`refs/heads/${branch} is locked by another update (${lock})`, { cause: err });
    await fs.rm(lock, { force: true });
    return fs.open(lock, 'wx');
  }
}

/**
 * Points `refs/heads/<branch>` at `oid` if it still points at `expected` (EMPTY_OID: if it does not
 * exist yet), under git's own lock file `<ref>.lock`, as `git update-ref <ref> <new> <old>` does.
 */
export async function updateBranch(repoDir: string, branch: string, oid: string, expected: string): Promise<void> {
  const ref = path.join(gitdir(repoDir), 'refs', 'heads', ...checkedBranch(branch).split('/'));
  const lock = `${ref}.lock`;
  await fs.mkdir(path.dirname(ref), { recursive: true });
  const handle = await takeLock(lock, branch);
  let renamed = false;
  try {
    const current = (await branchHead(repoDir, branch)) ?? EMPTY_OID;
    if (current !== expected) throw new RefUpdateError(`refs/heads/${branch} is at ${current}, expected ${expected}`);
    await handle.writeFile(`${oid}\n`);
    await handle.sync();
    await handle.close();
    await fs.rename(lock, ref);
    renamed = true;
  } finally {
    if (!renamed) {
      await handle.close().catch(() => undefined);
      await fs.rm(lock, { force: true });
    }
  }
}

/** The newest common ancestor of two commits, as `git merge-base` finds it; undefined when they share none. */
export async function mergeBase(repoDir: string, a: string, b: string): Promise<string | undefined> {
  const [base] = (await git().findMergeBase({ ...options(repoDir), oids: [a, b] })) as string[];
  return base;
}

/**
 * What `git diff <base> <head>` shows: a git-style unified diff (three lines of context) of every
 * file that differs between the two commits' trees (no base: every file of head is new), in path order.
 */
export async function diffCommits(repoDir: string, base: string | undefined, head: string): Promise<string> {
  const files = async (commit: string | undefined) => new Map((commit ? await listTree(repoDir, commit) : []).map((entry) => [entry.path, entry]));
  const [before, after] = await Promise.all([files(base), files(head)]);
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  const text = (entry?: TreeEntry) => (entry?.type === 'blob' ? readBlob(repoDir, entry.oid) : Promise.resolve(''));
  const shortId = (entry?: TreeEntry) => (entry?.oid ?? EMPTY_OID).slice(0, 7);
  const parts: string[] = [];
  for (const file of paths) {
    const [old, now] = [before.get(file), after.get(file)];
    if (old?.oid === now?.oid && old?.mode === now?.mode) continue;
    const [oldText, newText] = await Promise.all([text(old), text(now)]);
    const header = [`diff --git a/${file} b/${file}`];
    if (!old) header.push(`new file mode ${now!.mode}`);
    if (!now) header.push(`deleted file mode ${old!.mode}`);
    if (old && now && old.mode !== now.mode) header.push(`old mode ${old.mode}`, `new mode ${now.mode}`);
    header.push(`index ${shortId(old)}..${shortId(now)}${old && now && old.mode === now.mode ? ` ${now.mode}` : ''}`);
    const patch = diff().createTwoFilesPatch(old ? `a/${file}` : '/dev/null', now ? `b/${file}` : '/dev/null', oldText, newText, undefined, undefined, { context: 3 });
    // jsdiff starts with a separator line git does not write, and writes a count of one that git leaves out.
    const hunks = patch.slice(patch.indexOf('\n') + 1).replace(/^@@ -(\d+(?:,\d+)?) \+(\d+(?:,\d+)?) @@$/gm, (_, from: string, to: string) => `@@ -${from.replace(/,1$/, '')} +${to.replace(/,1$/, '')} @@`);
    parts.push(`${header.join('\n')}\n${hunks}`);
  }
  return parts.join('').trimEnd();
}
