/**
 * A stateful local server speaking the GitHub REST API for the endpoints testloom uses, backed by
 * real bare git repositories, with every request and response checked against GitHub's published
 * OpenAPI description (see contract.ts). Violations are collected in `server.violations` and, by
 * default, answered with a 500 so the client notices too; tests assert the list is empty.
 *
 * Faults (5xx, 429 + retry-after, primary and secondary rate-limit 403, 401) are injected per
 * method + path template (or regex) for a number of requests; see faults.ts.
 */
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { checkRequest, checkResponse, example, findOperation, loadDescription, type Violation } from './contract';
import { FaultInjector, type FaultResponse } from './faults';
import { forgetObjects, isAncestor, listTree, objectType, readBlob, readCommit, resolveRef, runGit, signatureEnv, type Signature } from './git';

type Json = any;  

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface StoredIssue {
  number: number;
  id: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  user: string;
  labels: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  isPull: boolean;
}

export interface StoredPull {
  number: number;
  id: number;
  head: string; // branch name
  base: string;
  headOwner: string;
  draft: boolean;
  mergedAt: string | null;
}

export interface StoredComment {
  id: number;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

export interface StoredLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface StoredRepo {
  id: number;
  owner: string;
  name: string;
  gitDir: string;
  defaultBranch: string;
  private: boolean;
  createdAt: string;
  issues: Map<number, StoredIssue>;
  pulls: Map<number, StoredPull>;
  comments: Map<number, StoredComment>;
  labels: Map<string, StoredLabel>;
  collaborators: Map<string, Permission>;
  nextNumber: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  operationId?: string;
  requestBody?: unknown;
  status: number;
  responseBody?: unknown;
  fault?: boolean;
}

export type Override = (ctx: { params: Record<string, string>; body: unknown }) => { status: number; body?: unknown; headers?: Record<string, string> };

export interface GitHubServerOptions {
  /** Where the bare repositories go (one `<owner>/<repo>.git` each). */
  dir: string;
  /** Tokens accepted in `authorization: token <t>` / `Bearer <t>`; default ['test-token']. */
  tokens?: string[];
  /** The login the tokens act as (author of comments, PRs). Default 'testloom-bot'. */
  login?: string;
  /** Answer a response that breaks the contract with a 500 (default) instead of sending it. */
  failOnViolation?: boolean;
  /**
   * GitHub Apps: a JWT signed (RS256) with the app's private key and `iss` = `id` can create an
   * installation access token for `installationId`, which then acts as `login` like the tokens do.
   */
  apps?: Array<{ id: number; publicKey: string; installationId: number }>;
}

const ISO_START = '2026-01-01T00:00:00Z';
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class GitHubState {
  readonly repos = new Map<string, StoredRepo>();
  private nextId = 1000;
  readonly users = new Map<string, number>();

  constructor(
    readonly dir: string,
    readonly login: string,
    private readonly baseUrl: () => string,
  ) {
    this.userId(login);
  }

  id(): number {
    return this.nextId++;
  }

  userId(login: string): number {
    let id = this.users.get(login);
    if (id === undefined) {
      id = this.id();
      this.users.set(login, id);
    }
    return id;
  }

  repo(owner: string, name: string): StoredRepo {
    const repo = this.repos.get(`${owner}/${name}`.toLowerCase());
    if (!repo) throw new HttpError(404, 'Not Found');
    return repo;
  }

  /** Creates a bare repository under `dir` with one commit (README.md) on the default branch. */
  async createRepo(owner: string, name: string, opts: { defaultBranch?: string; files?: Record<string, string>; private?: boolean } = {}): Promise<StoredRepo> {
    const gitDir = path.join(this.dir, owner, `${name}.git`);
    fs.mkdirSync(gitDir, { recursive: true });
    const defaultBranch = opts.defaultBranch ?? 'main';
    await runGit(gitDir, ['init', '--bare', '--quiet', `--initial-branch=${defaultBranch}`]);
    forgetObjects(gitDir);
    const files = opts.files ?? { 'README.md': `# ${name}\n` };
    const index = path.join(gitDir, `seed-index-${randomBytes(4).toString('hex')}`);
    const env = { GIT_INDEX_FILE: index };
    for (const [file, content] of Object.entries(files)) {
      const sha = await runGit(gitDir, ['hash-object', '-w', '--stdin'], { input: content });
      await runGit(gitDir, ['update-index', '--add', '--cacheinfo', `100644,${sha},${file}`], { env });
    }
    const tree = await runGit(gitDir, ['write-tree'], { env });
    fs.rmSync(index, { force: true });
    const sig: Signature = { name: 'Octocat', email: 'octocat@github.com', date: ISO_START };
    const commit = await runGit(gitDir, ['commit-tree', tree, '-m', 'Initial commit'], { env: { ...signatureEnv('AUTHOR', sig), ...signatureEnv('COMMITTER', sig) } });
    await runGit(gitDir, ['update-ref', `refs/heads/${defaultBranch}`, commit, '0'.repeat(40)]);
    const repo: StoredRepo = {
      id: this.id(),
      owner,
      name,
      gitDir,
      defaultBranch,
      private: opts.private ?? false,
      createdAt: ISO_START,
      issues: new Map(),
      pulls: new Map(),
      comments: new Map(),
      labels: new Map(),
      collaborators: new Map([[this.login, 'write']]),
      nextNumber: 1,
    };
    this.userId(owner);
    this.repos.set(`${owner}/${name}`.toLowerCase(), repo);
    return repo;
  }

  addIssue(repo: StoredRepo, issue: { title: string; body?: string | null; user?: string; labels?: string[]; number?: number }): StoredIssue {
    const number = issue.number ?? repo.nextNumber;
    repo.nextNumber = Math.max(repo.nextNumber, number + 1);
    const stored: StoredIssue = {
      number,
      id: this.id(),
      title: issue.title,
      body: issue.body ?? null,
      state: 'open',
      user: issue.user ?? repo.owner,
      labels: [],
      createdAt: now(),
      updatedAt: now(),
      closedAt: null,
      isPull: false,
    };
    this.userId(stored.user);
    repo.issues.set(number, stored);
    for (const label of issue.labels ?? []) this.addLabel(repo, stored, label);
    return stored;
  }

  setPermission(repo: StoredRepo, login: string, permission: Permission): void {
    this.userId(login);
    repo.collaborators.set(login, permission);
  }

  addLabel(repo: StoredRepo, issue: StoredIssue, name: string): void {
    if (!repo.labels.has(name.toLowerCase())) repo.labels.set(name.toLowerCase(), { id: this.id(), name, color: 'ededed', description: null });
    if (!issue.labels.some((l) => l.toLowerCase() === name.toLowerCase())) issue.labels.push(repo.labels.get(name.toLowerCase())!.name);
  }

  // ---- response shapes ----------------------------------------------------------------------

  get api(): string {
    return this.baseUrl();
  }

  nodeId(kind: string, id: number | string): string {
    return Buffer.from(`0${kind.length}:${kind}${id}`).toString('base64');
  }

  user(login: string): Json {
    const api = `${this.api}/users/${login}`;
    const id = this.userId(login);
    return {
      login,
      id,
      node_id: this.nodeId('User', id),
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      url: api,
      html_url: `https://github.com/${login}`,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
      type: login.endsWith('[bot]') ? 'Bot' : 'User',
      user_view_type: 'public',
      site_admin: false,
    };
  }

  repoUrl(repo: StoredRepo): string {
    return `${this.api}/repos/${repo.owner}/${repo.name}`;
  }

  /** Rewrites every `https://api.github.com/repos/octocat/Hello-World` / html URL of an example to this repository. */
  private retarget(value: Json, repo: StoredRepo): Json {
    const text = JSON.stringify(value)
      .replaceAll('https://api.github.com/repos/octocat/Hello-World', this.repoUrl(repo))
      .replaceAll('https://github.com/octocat/Hello-World', `https://github.com/${repo.owner}/${repo.name}`)
      .replaceAll('git@github.com:octocat/Hello-World.git', `git@github.com:${repo.owner}/${repo.name}.git`)
      .replaceAll('git:github.com/octocat/Hello-World.git', `git://github.com/${repo.owner}/${repo.name}.git`)
      .replaceAll('https://api.github.com', this.api);
    return JSON.parse(text);
  }

  fullRepository(repo: StoredRepo): Json {
    const r = this.retarget(example('full-repository'), repo);
    const perms = repo.collaborators.get(this.login) ?? 'read';
    Object.assign(r, {
      id: repo.id,
      node_id: this.nodeId('Repository', repo.id),
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      owner: this.user(repo.owner),
      private: repo.private,
      visibility: repo.private ? 'private' : 'public',
      description: `${repo.name} (local GitHub server)`,
      fork: false,
      default_branch: repo.defaultBranch,
      has_discussions: false,
      created_at: repo.createdAt,
      updated_at: repo.createdAt,
      pushed_at: now(),
      open_issues_count: [...repo.issues.values()].filter((i) => i.state === 'open').length,
      open_issues: [...repo.issues.values()].filter((i) => i.state === 'open').length,
      permissions: {
        admin: perms === 'admin',
        maintain: perms === 'admin' || perms === 'maintain',
        push: perms !== 'read' && perms !== 'triage',
        triage: perms !== 'read',
        pull: true,
      },
    });
    r.organization = undefined;
    delete r.organization;
    delete r.parent;
    delete r.source;
    delete r.template_repository;
    return r;
  }

  /** The `repository` schema (used in pull request head/base). */
  repository(repo: StoredRepo): Json {
    const r = this.retarget(example('pull-request').base.repo, repo);
    Object.assign(r, {
      id: repo.id,
      node_id: this.nodeId('Repository', repo.id),
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      owner: this.user(repo.owner),
      private: repo.private,
      default_branch: repo.defaultBranch,
      created_at: repo.createdAt,
      updated_at: repo.createdAt,
    });
    return r;
  }

  label(repo: StoredRepo, name: string): Json {
    const l = repo.labels.get(name.toLowerCase())!;
    return { id: l.id, node_id: this.nodeId('Label', l.id), url: `${this.repoUrl(repo)}/labels/${encodeURIComponent(l.name)}`, name: l.name, description: l.description, color: l.color, default: false };
  }

  issue(repo: StoredRepo, issue: StoredIssue): Json {
    const base = `${this.repoUrl(repo)}/issues/${issue.number}`;
    const out: Json = {
      id: issue.id,
      node_id: this.nodeId('Issue', issue.id),
      url: base,
      repository_url: this.repoUrl(repo),
      labels_url: `${base}/labels{/name}`,
      comments_url: `${base}/comments`,
      events_url: `${base}/events`,
      html_url: `https://github.com/${repo.owner}/${repo.name}/${issue.isPull ? 'pull' : 'issues'}/${issue.number}`,
      number: issue.number,
      state: issue.state,
      state_reason: null,
      title: issue.title,
      body: issue.body,
      user: this.user(issue.user),
      labels: issue.labels.map((name) => this.label(repo, name)),
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: [...repo.comments.values()].filter((c) => c.issueNumber === issue.number).length,
      closed_at: issue.closedAt,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_by: null,
      author_association: issue.user === repo.owner ? 'OWNER' : repo.collaborators.has(issue.user) ? 'COLLABORATOR' : 'NONE',
      reactions: { url: `${base}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 },
      timeline_url: `${base}/timeline`,
    };
    if (issue.isPull) {
      out.pull_request = {
        url: `${this.repoUrl(repo)}/pulls/${issue.number}`,
        html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${issue.number}`,
        diff_url: `https://github.com/${repo.owner}/${repo.name}/pull/${issue.number}.diff`,
        patch_url: `https://github.com/${repo.owner}/${repo.name}/pull/${issue.number}.patch`,
        merged_at: repo.pulls.get(issue.number)?.mergedAt ?? null,
      };
    }
    return out;
  }

  async pull(repo: StoredRepo, pull: StoredPull, simple = false): Promise<Json> {
    const issue = repo.issues.get(pull.number)!;
    const url = `${this.repoUrl(repo)}/pulls/${pull.number}`;
    const html = `https://github.com/${repo.owner}/${repo.name}/pull/${pull.number}`;
    const headSha = (await resolveRef(repo.gitDir, `refs/heads/${pull.head}`)) ?? '0'.repeat(40);
    const baseSha = (await resolveRef(repo.gitDir, `refs/heads/${pull.base}`)) ?? '0'.repeat(40);
    const branch = (ref: string, sha: string) => ({ label: `${repo.owner}:${ref}`, ref, sha, user: this.user(repo.owner), repo: this.repository(repo) });
    const out: Json = {
      url,
      id: pull.id,
      node_id: this.nodeId('PullRequest', pull.id),
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${this.repoUrl(repo)}/issues/${pull.number}`,
      commits_url: `${url}/commits`,
      review_comments_url: `${url}/comments`,
      review_comment_url: `${this.repoUrl(repo)}/pulls/comments{/number}`,
      comments_url: `${this.repoUrl(repo)}/issues/${pull.number}/comments`,
      statuses_url: `${this.repoUrl(repo)}/statuses/${headSha}`,
      number: pull.number,
      state: issue.state,
      locked: false,
      title: issue.title,
      user: this.user(issue.user),
      body: issue.body,
      // pull-request-simple (lists) documents a label's description as a string, never null.
      labels: issue.labels.map((name) => (simple ? { ...this.label(repo, name), description: this.label(repo, name).description ?? '' } : this.label(repo, name))),
      milestone: null,
      active_lock_reason: null,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_at: issue.closedAt,
      merged_at: pull.mergedAt,
      merge_commit_sha: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: branch(pull.head, headSha),
      base: branch(pull.base, baseSha),
      _links: {
        self: { href: url },
        html: { href: html },
        issue: { href: `${this.repoUrl(repo)}/issues/${pull.number}` },
        comments: { href: `${this.repoUrl(repo)}/issues/${pull.number}/comments` },
        review_comments: { href: `${url}/comments` },
        review_comment: { href: `${this.repoUrl(repo)}/pulls/comments{/number}` },
        commits: { href: `${url}/commits` },
        statuses: { href: `${this.repoUrl(repo)}/statuses/${headSha}` },
      },
      author_association: 'CONTRIBUTOR',
      auto_merge: null,
      draft: pull.draft,
    };
    if (simple) return out;
    const commits = headSha === '0'.repeat(40) ? 0 : Number(await runGit(repo.gitDir, ['rev-list', '--count', `${baseSha}..${headSha}`]).catch(() => '0'));
    return {
      ...out,
      merged: pull.mergedAt !== null,
      mergeable: null,
      rebaseable: null,
      mergeable_state: 'unknown',
      merged_by: null,
      comments: [...repo.comments.values()].filter((c) => c.issueNumber === pull.number).length,
      review_comments: 0,
      maintainer_can_modify: false,
      commits,
      additions: 0,
      deletions: 0,
      changed_files: 0,
    };
  }

  comment(repo: StoredRepo, c: StoredComment): Json {
    return {
      id: c.id,
      node_id: this.nodeId('IssueComment', c.id),
      url: `${this.repoUrl(repo)}/issues/comments/${c.id}`,
      html_url: `https://github.com/${repo.owner}/${repo.name}/issues/${c.issueNumber}#issuecomment-${c.id}`,
      issue_url: `${this.repoUrl(repo)}/issues/${c.issueNumber}`,
      body: c.body,
      user: this.user(c.user),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: c.user === repo.owner ? 'OWNER' : repo.collaborators.has(c.user) ? 'COLLABORATOR' : 'NONE',
      reactions: { url: `${this.repoUrl(repo)}/issues/comments/${c.id}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 },
    };
  }

  gitRef(repo: StoredRepo, ref: string, sha: string, type = 'commit'): Json {
    return {
      ref,
      node_id: this.nodeId('Ref', `${repo.id}:${ref}`),
      url: `${this.repoUrl(repo)}/git/${ref}`,
      object: { type, sha, url: `${this.repoUrl(repo)}/git/${type}s/${sha}` },
    };
  }

  async gitCommit(repo: StoredRepo, sha: string): Promise<Json> {
    const c = await readCommit(repo.gitDir, sha);
    return {
      sha,
      node_id: this.nodeId('Commit', sha),
      url: `${this.repoUrl(repo)}/git/commits/${sha}`,
      html_url: `https://github.com/${repo.owner}/${repo.name}/commit/${sha}`,
      author: c.author,
      committer: c.committer,
      message: c.message.replace(/\n$/, ''),
      tree: { sha: c.tree, url: `${this.repoUrl(repo)}/git/trees/${c.tree}` },
      parents: c.parents.map((p) => ({ sha: p, url: `${this.repoUrl(repo)}/git/commits/${p}`, html_url: `https://github.com/${repo.owner}/${repo.name}/commit/${p}` })),
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    };
  }

  async gitTree(repo: StoredRepo, sha: string, recursive = false): Promise<Json> {
    const listing = await listTree(repo.gitDir, sha, recursive);
    const tree = listing
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [meta, entryPath] = line.split('\t');
        const [mode, type, objSha, size] = meta.split(/\s+/);
        const entry: Json = { path: entryPath, mode, type, sha: objSha, url: `${this.repoUrl(repo)}/git/${type}s/${objSha}` };
        if (type === 'blob') entry.size = Number(size);
        return entry;
      });
    return { sha, url: `${this.repoUrl(repo)}/git/trees/${sha}`, tree, truncated: false };
  }
}

// ---- handlers ---------------------------------------------------------------------------------

interface Ctx {
  state: GitHubState;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Json;
}
type Result = { status: number; body?: unknown; headers?: Record<string, string> };
type Handler = (ctx: Ctx) => Promise<Result>;

const validation = (message: string, errors: unknown[] = []) => new HttpError(422, message, errors.length ? { errors } : {});

function issueOf(repo: StoredRepo, n: string): StoredIssue {
  const issue = repo.issues.get(Number(n));
  if (!issue) throw new HttpError(404, 'Not Found');
  return issue;
}

/** One page of `all`, with the `link` header GitHub sends (next/last, prev/first) so clients can page on. */
function paginated(all: Json[], query: URLSearchParams, url: string): Result {
  const perPage = Math.min(100, Number(query.get('per_page') ?? 30));
  const page = Number(query.get('page') ?? 1);
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const at = (n: number) => {
    const q = new URLSearchParams(query);
    q.set('per_page', String(perPage));
    q.set('page', String(n));
    return `<${url}?${q.toString()}>`;
  };
  const links = [
    ...(page < last ? [`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`] : []),
    ...(page > 1 ? [`${at(page - 1)}; rel="prev"`, `${at(1)}; rel="first"`] : []),
  ];
  return { status: 200, body: all.slice((page - 1) * perPage, page * perPage), ...(links.length ? { headers: { link: links.join(', ') } } : {}) };
}

function fullRef(ref: string): string {
  return ref.startsWith('refs/') ? ref : `refs/${ref}`;
}

const handlers: Record<string, Handler> = {
  'repos/get': async ({ state, params }) => ({ status: 200, body: state.fullRepository(state.repo(params.owner, params.repo)) }),

  'issues/get': async ({ state, params }) => {
    const repo = state.repo(params.owner, params.repo);
    return { status: 200, body: state.issue(repo, issueOf(repo, params.issue_number)) };
  },

  'issues/list-for-repo': async ({ state, params, query }) => {
    const repo = state.repo(params.owner, params.repo);
    const wanted = query.get('state') ?? 'open';
    const labels = (query.get('labels') ?? '').split(',').map((l) => l.trim().toLowerCase()).filter(Boolean);
    const all = [...repo.issues.values()]
      .filter((issue) => wanted === 'all' || issue.state === wanted)
      .filter((issue) => labels.every((label) => issue.labels.some((l) => l.toLowerCase() === label)))
      .sort((a, b) => b.number - a.number);
    return paginated(all.map((issue) => state.issue(repo, issue)), query, `${state.repoUrl(repo)}/issues`);
  },

  'issues/create': async ({ state, params, body }) => {
    const repo = state.repo(params.owner, params.repo);
    if (typeof body?.title !== 'string' || !body.title) throw validation('Validation Failed', [{ resource: 'Issue', field: 'title', code: 'missing_field' }]);
    const labels: Json[] = Array.isArray(body.labels) ? body.labels : [];
    const issue = state.addIssue(repo, { title: body.title, body: body.body ?? null, user: state.login, labels: labels.map((l) => (typeof l === 'string' ? l : l.name)) });
    return { status: 201, body: state.issue(repo, issue), headers: { location: `${state.repoUrl(repo)}/issues/${issue.number}` } };
  },

  'repos/get-collaborator-permission-level': async ({ state, params }) => {
    const repo = state.repo(params.owner, params.repo);
    if (!state.users.has(params.username)) throw new HttpError(404, 'Not Found');
    const role = repo.collaborators.get(params.username);
    const permission = role === undefined ? 'none' : role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
    const user = { ...state.user(params.username), role_name: role ?? 'none' };
    return {
      status: 200,
      body: {
        permission,
        role_name: role ?? 'none',
        user: {
          ...user,
          permissions: { admin: role === 'admin', maintain: role === 'admin' || role === 'maintain', push: permission === 'admin' || permission === 'write', triage: role !== undefined && role !== 'read', pull: role !== undefined },
        },
      },
    };
  },

  'git/get-ref': async ({ state, params }) => {
    const repo = state.repo(params.owner, params.repo);
    const ref = fullRef(params.ref);
    const sha = await resolveRef(repo.gitDir, ref);
    if (!sha || !(await runGit(repo.gitDir, ['show-ref', '--verify', '--quiet', ref]).then(() => true, () => false))) throw new HttpError(404, 'Not Found');
    return { status: 200, body: state.gitRef(repo, ref, sha, (await objectType(repo.gitDir, sha)) ?? 'commit') };
  },

  'git/create-ref': async ({ state, params, body }) => {
    const repo = state.repo(params.owner, params.repo);
    const ref: string = body.ref;
    if (!/^refs\/[^/]+\/.+/.test(ref) || (await runGit(repo.gitDir, ['check-ref-format', ref]).then(() => false, () => true))) {
      throw validation('Reference name is invalid');
    }
    const type = await objectType(repo.gitDir, body.sha);
    if (!type) throw validation('Object does not exist');
    try {
      await runGit(repo.gitDir, ['update-ref', ref, body.sha, '0'.repeat(40)]);
    } catch {
      throw validation('Reference already exists');
    }
    return { status: 201, body: state.gitRef(repo, ref, body.sha, type) };
  },

  'git/update-ref': async ({ state, params, body }) => {
    const repo = state.repo(params.owner, params.repo);
    const ref = fullRef(params.ref);
    const old = await resolveRef(repo.gitDir, ref);
    if (!old) throw validation('Reference does not exist');
    const type = await objectType(repo.gitDir, body.sha);
    if (!type) throw validation('Object does not exist');
    if (!body.force && !(await isAncestor(repo.gitDir, old, body.sha))) throw validation('Update is not a fast forward');
    try {
      // Compare-and-swap on the value just read: a concurrent update in between loses.
      await runGit(repo.gitDir, ['update-ref', ref, body.sha, old]);
    } catch {
      throw validation('Update is not a fast forward');
    }
    return { status: 200, body: state.gitRef(repo, ref, body.sha, type) };
  },

  'git/create-blob': async ({ state, params, body }) => {
    const repo = state.repo(params.owner, params.repo);
    const encoding = body.encoding ?? 'utf-8';
    if (encoding !== 'utf-8' && encoding !== 'utf8' && encoding !== 'base64') throw validation(`encoding must be "utf-8" or "base64"`);
    const content = encoding === 'base64' ? Buffer.from(body.content, 'base64') : Buffer.from(body.content, 'utf8');
    const sha = await runGit(repo.gitDir, ['hash-object', '-w', '--stdin'], { input: content });
    return { status: 201, body: { sha, url: `${state.repoUrl(repo)}/git/blobs/${sha}` }, headers: { location: `${state.repoUrl(repo)}/git/blobs/${sha}` } };
  },

  'git/create-tree': async ({ state, params, body }) => {
    const repo = state.repo(params.owner, params.repo);
    const index = path.join(repo.gitDir, `tree-index-${randomBytes(6).toString('hex')}`);
    const env = { GIT_INDEX_FILE: index };
    try {
      if (body.base_tree) {
        if ((await objectType(repo.gitDir, body.base_tree)) === undefined) throw validation('Invalid tree info');
        await runGit(repo.gitDir, ['read-tree', body.base_tree], { env });
      } else {
        await runGit(repo.gitDir, ['read-tree', '--empty'], { env });
      }
      for (const entry of body.tree as Json[]) {
        if (entry.type === 'tree' || entry.mode === '040000') {
          // Not needed by testloom: nested paths ("test/x.test.ts") create the directories.
          throw validation('tree entries of type "tree" are not supported by the local GitHub server');
        }
        if (entry.sha === null) {
          // Mode 0 in --index-info removes the entry (--force-remove needs a work tree; this is a bare repository).
          await runGit(repo.gitDir, ['update-index', '--index-info'], { env, input: `0 ${'0'.repeat(40)}\t${entry.path}\n` });
          continue;
        }
        let sha: string = entry.sha;
        if (entry.content !== undefined) {
          sha = await runGit(repo.gitDir, ['hash-object', '-w', '--stdin'], { input: entry.content });
        } else if ((await objectType(repo.gitDir, sha)) !== (entry.type ?? 'blob')) {
          throw validation(`tree.sha ${sha} is not a valid ${entry.type ?? 'blob'}`);
        }
        await runGit(repo.gitDir, ['update-index', '--add', '--cacheinfo', `${entry.mode},${sha},${entry.path}`], { env });
      }
      const sha = await runGit(repo.gitDir, ['write-tree'], { env });
      return { status: 201, body: await state.gitTree(repo, sha), headers: { location: `${state.repoUrl(repo)}/git/trees/${sha}` } };
    } finally {
      fs.rmSync(index, { force: true });
    }
  },

  'git/get-commit': async ({ state, params }) => {
    const repo = state.repo(params.owner, params.repo);
    if ((await objectType(repo.gitDir, params.commit_sha)) !== 'commit') throw new HttpError(404, 'Not Found');
    return { status: 200, body: await state.gitCommit(repo, params.commit_sha) };
  },

  'git/get-blob': async ({ state, params }) => {
    const repo = state.repo(params.owner, params.repo);
    if ((await objectType(repo.gitDir, params.file_sha)) !== 'blob') throw new HttpError(404, 'Not Found');
    const content = await readBlob(repo.gitDir, params.file_sha);
    return {
      status: 200,
      body: {
        sha: params.file_sha,
        node_id: state.nodeId('Blob', params.file_sha),
        size: content.length,
        url: `${state.repoUrl(repo)}/git/blobs/${params.file_sha}`,
        content: content.toString('base64').replace(/(.{60})/g, '$1\n'),
        encoding: 'base64',
      },
    };
  },

  'git/get-tree': async ({ state, params, query }) => {
    const repo = state.repo(params.owner, params.repo);
    if ((await objectType(repo.gitDir, params.tree_sha)) !== 'tree') throw new HttpError(404, 'Not Found');
    // GitHub treats any value of `recursive` as true ("0", "false" included).
    return { status: 200, body: await state.gitTree(repo, params.tree_sha, query.has('recursive')) };
  },

  'git/create-commit': async ({ state, params, body }) => {
    const repo = state.repo(params.owner, params.repo);
    if ((await objectType(repo.gitDir, body.tree)) !== 'tree') throw validation('Tree SHA does not exist');
    const parents: string[] = body.parents ?? [];
    for (const p of parents) if ((await objectType(repo.gitDir, p)) !== 'commit') throw validation('Parent SHA does not exist or is not a commit object');
    const login = state.login;
    const author: Signature = { name: body.author?.name ?? login, email: body.author?.email ?? `${state.userId(login)}+${login}@users.noreply.github.com`, date: body.author?.date ?? now() };
    const committer: Signature = body.committer ? { name: body.committer.name, email: body.committer.email, date: body.committer.date ?? author.date } : { name: 'GitHub', email: 'noreply@github.com', date: now() };
    const args = ['commit-tree', body.tree, ...parents.flatMap((p) => ['-p', p])];
    const sha = await runGit(repo.gitDir, args, { input: body.message, env: { ...signatureEnv('AUTHOR', author), ...signatureEnv('COMMITTER', committer) } });
    return { status: 201, body: await state.gitCommit(repo, sha), headers: { location: `${state.repoUrl(repo)}/git/commits/${sha}` } };
  },

  'pulls/list': async ({ state, params, query }) => {
    const repo = state.repo(params.owner, params.repo);
    const wanted = query.get('state') ?? 'open';
    const head = query.get('head');
    const base = query.get('base');
    const out = [];
    for (const pull of [...repo.pulls.values()].sort((a, b) => b.number - a.number)) {
      const issue = repo.issues.get(pull.number)!;
      if (wanted !== 'all' && issue.state !== wanted) continue;
      if (head) {
        const [owner, branch] = head.includes(':') ? head.split(':', 2) : [repo.owner, head];
        if (owner.toLowerCase() !== pull.headOwner.toLowerCase() || (branch !== undefined && branch !== pull.head)) continue;
      }
      if (base && base !== pull.base) continue;
      out.push(await state.pull(repo, pull, true));
    }
    return paginated(out, query, `${state.repoUrl(repo)}/pulls`);
  },

  'pulls/create': async ({ state, params, body }) => {
    const repo = state.repo(params.owner, params.repo);
    const headBranch = String(body.head).includes(':') ? String(body.head).split(':')[1] : String(body.head);
    const missing = [];
    if (!(await resolveRef(repo.gitDir, `refs/heads/${headBranch}`))) missing.push({ resource: 'PullRequest', field: 'head', code: 'invalid' });
    if (!(await resolveRef(repo.gitDir, `refs/heads/${body.base}`))) missing.push({ resource: 'PullRequest', field: 'base', code: 'invalid' });
    if (missing.length) throw validation('Validation Failed', missing);
    for (const pull of repo.pulls.values()) {
      if (pull.head === headBranch && pull.base === body.base && repo.issues.get(pull.number)!.state === 'open') {
        throw validation('Validation Failed', [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${repo.owner}:${headBranch}.` }]);
      }
    }
    const issue = state.addIssue(repo, { title: body.title ?? headBranch, body: body.body ?? null, user: state.login });
    issue.isPull = true;
    const pull: StoredPull = {
      number: issue.number, id: state.id(), head: headBranch, base: body.base, headOwner: repo.owner, draft: !!body.draft, mergedAt: null,
    };
    repo.pulls.set(pull.number, pull);
    return { status: 201, body: await state.pull(repo, pull), headers: { location: `${state.repoUrl(repo)}/pulls/${pull.number}` } };
  },

  'pulls/update': async ({ state, params, body }) => {
    const repo = state.repo(params.owner, params.repo);
    const pull = repo.pulls.get(Number(params.pull_number));
    if (!pull) throw new HttpError(404, 'Not Found');
    const issue = repo.issues.get(pull.number)!;
    if (body.title !== undefined) issue.title = body.title;
    if (body.body !== undefined) issue.body = body.body;
    if (body.base !== undefined) {
      if (!(await resolveRef(repo.gitDir, `refs/heads/${body.base}`))) throw validation('Validation Failed', [{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
      pull.base = body.base;
    }
    if (body.state !== undefined && body.state !== issue.state) {
      issue.state = body.state;
      issue.closedAt = body.state === 'closed' ? now() : null;
    }
    issue.updatedAt = now();
    return { status: 200, body: await state.pull(repo, pull) };
  },

  'issues/add-labels': async ({ state, params, body }) => {
    const repo = state.repo(params.owner, params.repo);
    const issue = issueOf(repo, params.issue_number);
    const names: Json[] = Array.isArray(body) ? body : Array.isArray(body?.labels) ? body.labels : [];
    for (const l of names) state.addLabel(repo, issue, typeof l === 'string' ? l : l.name);
    issue.updatedAt = now();
    return { status: 200, body: issue.labels.map((name) => state.label(repo, name)) };
  },

  'issues/list-comments': async ({ state, params, query }) => {
    const repo = state.repo(params.owner, params.repo);
    const issue = issueOf(repo, params.issue_number);
    const all = [...repo.comments.values()].filter((c) => c.issueNumber === issue.number).sort((a, b) => a.id - b.id);
    return paginated(all.map((c) => state.comment(repo, c)), query, `${state.repoUrl(repo)}/issues/${issue.number}/comments`);
  },

  'issues/create-comment': async ({ state, params, body }) => {
    const repo = state.repo(params.owner, params.repo);
    const issue = issueOf(repo, params.issue_number);
    const c: StoredComment = { id: state.id(), issueNumber: issue.number, body: body.body, user: state.login, createdAt: now(), updatedAt: now() };
    repo.comments.set(c.id, c);
    return { status: 201, body: state.comment(repo, c), headers: { location: `${state.repoUrl(repo)}/issues/comments/${c.id}` } };
  },

  'issues/update-comment': async ({ state, params, body }) => {
    const repo = state.repo(params.owner, params.repo);
    const c = repo.comments.get(Number(params.comment_id));
    if (!c) throw new HttpError(404, 'Not Found');
    c.body = body.body;
    c.updatedAt = now();
    return { status: 200, body: state.comment(repo, c) };
  },
};

export const SUPPORTED_OPERATIONS = Object.keys(handlers);

// ---- the server -------------------------------------------------------------------------------

export interface GitHubServer {
  url: string;
  state: GitHubState;
  faults: FaultInjector;
  requests: RecordedRequest[];
  violations: Violation[];
  /** Makes the next `times` requests to `operationId` answer with `override` instead of the real handler (the answer is still contract-checked). */
  override(operationId: string, override: Override, times?: number): void;
  /**
   * The next successful request to `operationId` is applied (its state change happens) but never
   * answered, as if the client died right after GitHub did the work: the promise resolves with the
   * request once applied, so a test can kill the client there. Later requests are answered again.
   */
  holdAfterApplying(operationId: string): Promise<RecordedRequest>;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const DOCS = 'https://docs.github.com/rest';

/** The installation a GitHub App JWT may act for, if the JWT is well signed by one of `apps` and current. */
function appInstallation(apps: NonNullable<GitHubServerOptions['apps']>, jwt: string): number | undefined {
  const [header, payload, signature] = jwt.split('.');
  if (!header || !payload || !signature) return undefined;
  let claims: { iss?: string | number; iat?: number; exp?: number };
  try {
    if (JSON.parse(Buffer.from(header, 'base64url').toString()).alg !== 'RS256') return undefined;
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  } catch {
    return undefined;
  }
  const app = apps.find((a) => String(a.id) === String(claims.iss));
  const now = Math.floor(Date.now() / 1000);
  if (!app || !claims.exp || claims.exp < now || (claims.iat ?? 0) > now + 60) return undefined;
  const signed = verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), createPublicKey(app.publicKey), Buffer.from(signature, 'base64url'));
  return signed ? app.installationId : undefined;
}

export async function startGitHubServer(options: GitHubServerOptions): Promise<GitHubServer> {
  loadDescription();
  const tokens = new Set(options.tokens ?? ['test-token']);
  const failOnViolation = options.failOnViolation ?? true;
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];
  const faults = new FaultInjector();
  const overrides: Array<{ operationId: string; override: Override; times: number }> = [];
  const holds: Array<{ operationId: string; applied: (request: RecordedRequest) => void }> = [];
  let url = '';
  const state = new GitHubState(options.dir, options.login ?? 'testloom-bot', () => url);

  const send = (res: http.ServerResponse, result: Result, requestId: string) => {
    const headers: Record<string, string> = {
      'x-github-request-id': requestId,
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': '1',
      'x-ratelimit-resource': 'core',
      ...result.headers,
    };
    if (result.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    res.writeHead(result.status, headers);
    res.end(result.body === undefined ? undefined : JSON.stringify(result.body));
  };

  const server = http.createServer((req, res) => void (async () => {
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    const method = req.method ?? 'GET';
    const parsed = new URL(req.url ?? '/', 'http://localhost');
    const record: RecordedRequest = { method, path: parsed.pathname, query: parsed.search, status: 0 };
    requests.push(record);
    const finish = (result: Result, fault = false) => {
      record.status = result.status;
      record.responseBody = result.body;
      if (fault) record.fault = true;
      send(res, result, requestId);
    };
    try {
      const raw = await readBody(req);
      let body: Json;
      if (raw.length) {
        try {
          body = JSON.parse(raw);
        } catch {
          return finish({ status: 400, body: { message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' } });
        }
      }
      record.requestBody = body;
      const match = findOperation(method, parsed.pathname);
      record.operationId = match?.operationId;

      const fault: FaultResponse | undefined = faults.take(method, parsed.pathname, match?.template, requestId);
      if (fault) return finish(fault, true);

      const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      if (match?.operationId === 'apps/create-installation-access-token' && auth) {
        const installation = appInstallation(options.apps ?? [], auth[1]);
        if (installation === undefined || String(installation) !== match.params.installation_id) {
          return finish({ status: 401, body: { message: installation === undefined ? 'A JSON web token could not be decoded' : 'Not Found', documentation_url: DOCS, status: '401' } }, true);
        }
        const token = `ghs_${randomBytes(18).toString('hex')}`;
        tokens.add(token);
        const result = { status: 201, body: { token, expires_at: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), permissions: { contents: 'write', issues: 'write', pull_requests: 'write' }, repository_selection: 'all' } };
        violations.push(...checkResponse({
          method, template: match.template, operationId: match.operationId, path: parsed.pathname, status: result.status, body: result.body,
        }));
        return finish(result);
      }
      if (!auth || !tokens.has(auth[1])) {
        return finish({ status: 401, body: { message: auth ? 'Bad credentials' : 'Requires authentication', documentation_url: DOCS, status: '401' } }, true);
      }

      if (!match) {
        violations.push({ kind: 'route', method, path: parsed.pathname, message: `no operation in GitHub's OpenAPI description matches ${method} ${parsed.pathname}` });
        return finish({ status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } });
      }
      const handler = handlers[match.operationId];
      if (!handler) {
        violations.push({ kind: 'route', method, path: parsed.pathname, operationId: match.operationId, message: `${match.operationId} is documented but not implemented by the local GitHub server` });
        return finish({ status: 501, body: { message: `${match.operationId} is not implemented by the local GitHub server` } });
      }

      const check = { method, template: match.template, operationId: match.operationId, path: parsed.pathname };
      const requestViolations = checkRequest({ ...check, params: match.params, query: parsed.searchParams, body });
      if (requestViolations.length) {
        violations.push(...requestViolations);
        return finish({
          status: 422,
          body: { message: 'Invalid request.', errors: requestViolations.map((v) => v.message), documentation_url: DOCS, status: '422' },
        });
      }

      let result: Result;
      const o = overrides.find((x) => x.operationId === match.operationId && x.times > 0);
      if (o) {
        o.times -= 1;
        result = o.override({ params: match.params, body });
      } else {
        try {
          result = await handler({ state, params: match.params, query: parsed.searchParams, body });
        } catch (error) {
          if (!(error instanceof HttpError)) throw error;
          result = { status: error.status, body: { message: error.message, ...error.extra, documentation_url: DOCS, status: String(error.status) } };
        }
      }

      const responseViolations = checkResponse({ ...check, status: result.status, body: result.body });
      if (responseViolations.length) {
        violations.push(...responseViolations);
        if (failOnViolation) {
          return finish({ status: 500, body: { message: `local GitHub server: response breaks GitHub's OpenAPI description: ${responseViolations.map((v) => v.message).join('; ')}` } });
        }
      }
      const hold = result.status < 400 ? holds.findIndex((h) => h.operationId === match.operationId) : -1;
      if (hold >= 0) {
        record.status = result.status;
        record.responseBody = result.body;
        holds.splice(hold, 1)[0].applied(record);
        return; // the connection stays open without an answer until the client goes away or the server closes
      }
      return finish(result);
    } catch (error) {
      violations.push({ kind: 'response', method, path: parsed.pathname, message: `handler crashed: ${(error as Error).stack ?? String(error)}` });
      return finish({ status: 500, body: { message: `local GitHub server crashed: ${(error as Error).message}` } });
    }
  })());

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    state,
    faults,
    requests,
    violations,
    override(operationId, override, times = 1) {
      overrides.push({ operationId, override, times });
    },
    holdAfterApplying(operationId) {
      if (!handlers[operationId]) throw new Error(`${operationId} is not implemented by the local GitHub server`);
      return new Promise((applied) => holds.push({ operationId, applied }));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
