/** Git plumbing for the local GitHub server: every object it reports lives in a real bare repository. */
import { execGit } from '../git-exec';

export class GitError extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
  ) {
    super(message);
  }
}

/** Runs git in `cwd` (binary-safe stdin); resolves trimmed stdout, rejects with git's stderr. */
export async function runGit(cwd: string, args: string[], opts: { input?: string | Buffer; env?: Record<string, string> } = {}): Promise<string> {
  const result = await execGit(cwd, args, { input: opts.input, env: { GIT_CONFIG_NOSYSTEM: '1', ...opts.env } });
  if (result.code !== 0) throw new GitError(`git ${args.join(' ')}: ${result.stderr.trim() || result.error}`, result.code ?? undefined);
  return result.stdout.toString('utf8').replace(/\n$/, '');
}

/** A blob's bytes exactly as stored. */
export async function readBlob(cwd: string, sha: string): Promise<Buffer> {
  const result = await execGit(cwd, ['cat-file', 'blob', sha]);
  if (result.code !== 0) throw new GitError(`git cat-file blob ${sha}: ${result.stderr.trim() || result.error}`, result.code ?? undefined);
  return result.stdout;
}

/**
 * What is known of a repository's objects, by sha: an object's content (so its type) never changes
 * once written, and the server never deletes a repository, so each is asked of git once. A missing
 * object is not remembered: it may be written later. (Each git process costs a few milliseconds
 * to start, thousands of times per test run.)
 */
const isSha = (text: string) => /^[0-9a-f]{40}$/.test(text);
const known = new Map<string, { types: Map<string, string>; commits: Map<string, ParsedCommit>; trees: Map<string, string> }>();
const repository = (cwd: string) => {
  let entry = known.get(cwd);
  if (!entry) known.set(cwd, (entry = { types: new Map(), commits: new Map(), trees: new Map() }));
  return entry;
};

/** Forgets what was learnt of the repository at `cwd` (a new repository made where one was). */
export function forgetObjects(cwd: string): void {
  known.delete(cwd);
}

export async function objectType(cwd: string, sha: string): Promise<string | undefined> {
  if (!isSha(sha)) return undefined;
  const { types } = repository(cwd);
  if (types.has(sha)) return types.get(sha);
  try {
    const type = await runGit(cwd, ['cat-file', '-t', sha]);
    types.set(sha, type);
    return type;
  } catch {
    return undefined;
  }
}

/** `git ls-tree -l` of a tree (recursive: `-r -t`), remembered by the tree's sha. */
export async function listTree(cwd: string, sha: string, recursive: boolean): Promise<string> {
  const { trees } = repository(cwd);
  const key = `${sha}${recursive ? ' -r' : ''}`;
  const cached = isSha(sha) ? trees.get(key) : undefined;
  if (cached !== undefined) return cached;
  const listing = await runGit(cwd, ['ls-tree', '-l', ...(recursive ? ['-r', '-t'] : []), sha]);
  if (isSha(sha)) trees.set(key, listing);
  return listing;
}

export async function resolveRef(cwd: string, ref: string): Promise<string | undefined> {
  try {
    return await runGit(cwd, ['rev-parse', '--verify', '--quiet', ref]);
  } catch {
    return undefined;
  }
}

export async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  try {
    await runGit(cwd, ['merge-base', '--is-ancestor', ancestor, descendant]);
    return true;
  } catch {
    return false;
  }
}

export interface Signature {
  name: string;
  email: string;
  date: string;
}

export interface ParsedCommit {
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
}

function parseSignature(line: string): Signature {
  const m = /^(.*) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!m) throw new Error(`unparseable signature ${line}`);
  return { name: m[1], email: m[2], date: new Date(Number(m[3]) * 1000).toISOString().replace(/\.000Z$/, 'Z') };
}

export async function readCommit(cwd: string, sha: string): Promise<ParsedCommit> {
  const { commits } = repository(cwd);
  const cached = commits.get(sha);
  if (cached) return structuredClone(cached);
  const commit = parseCommit(await runGit(cwd, ['cat-file', 'commit', sha]));
  if (isSha(sha)) commits.set(sha, structuredClone(commit));
  return commit;
}

function parseCommit(raw: string): ParsedCommit {
  const split = raw.indexOf('\n\n');
  const header = split === -1 ? raw : raw.slice(0, split);
  const message = split === -1 ? '' : raw.slice(split + 2);
  const commit: ParsedCommit = { tree: '', parents: [], author: undefined!, committer: undefined!, message };
  for (const line of header.split('\n')) {
    const space = line.indexOf(' ');
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === 'tree') commit.tree = value;
    else if (key === 'parent') commit.parents.push(value);
    else if (key === 'author') commit.author = parseSignature(value);
    else if (key === 'committer') commit.committer = parseSignature(value);
  }
  return commit;
}

export function signatureEnv(role: 'AUTHOR' | 'COMMITTER', sig: Signature): Record<string, string> {
  return { [`GIT_${role}_NAME`]: sig.name, [`GIT_${role}_EMAIL`]: sig.email, [`GIT_${role}_DATE`]: sig.date };
}
