/**
 * A repository's spec files changing on GitHub: a push to the default branch that changes one
 * starts a revision run of it (its path is its name, so the run updates the spec's branch and pull
 * request); a pull request that changes one gets a comment with the impact on the delivered suite.
 * Which files are spec files: `.testloom.yml`'s `specs`, else the operator's spec paths.
 */
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { loadRepositoryConfig, renderRepositoryConfigProblems, type RepositoryConfig } from '../config/repository-config';
import { isRepositoryName } from '../core/repository';
import type { FrameworkName } from '../core/frameworks';
import { deliveredRevision } from '../db/runs';
import { listStoredTestCases } from '../db/test-cases';
import type * as DereferenceModule from '../openapi/dereference';
import type * as DocumentModule from '../openapi/intake/document';
import type * as RevisionDiffModule from '../openapi/revision-diff';
import { revisionHeadline, revisionLines } from '../core/subject';
import { startSpecRun } from '../runs/start';
import { CONFIG_PROBLEMS_MARKER } from '../runs/repository-settings';
import type { DeliveryResult, WebhookDeps } from './delivery';
import { MalformedPayloadError } from './payload';

/* eslint-disable @typescript-eslint/no-require-imports -- the OpenAPI parsers and the revision diff
   are loaded by the first pull request that changes a spec, not by every API process at start. */
const openapi = () => ({
  dereferenceSpec: (require('../openapi/dereference') as typeof DereferenceModule).dereferenceSpec,
  parseSpecDocument: (require('../openapi/intake/document') as typeof DocumentModule).parseSpecDocument,
  diffRevisions: (require('../openapi/revision-diff') as typeof RevisionDiffModule).diffRevisions,
});
/* eslint-enable @typescript-eslint/no-require-imports */

type PushPayload = EmitterWebhookEvent<'push'>['payload'];
type PullRequestPayload = EmitterWebhookEvent<'pull_request'>['payload'];

const ignored = (reason: string): DeliveryResult => ({ status: 204, outcome: 'ignored', reason });
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringList = (value: unknown) => value === undefined || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
const isSha = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{40}$/.test(value);

interface SpecFile {
  path: string;
  framework?: FrameworkName;
}

/** The spec files of the repository, or the problems of its `.testloom.yml`. */
async function specFiles(deps: WebhookDeps, repository: string): Promise<{ files: SpecFile[]; config?: RepositoryConfig } | { problems: string }> {
  const policy = { hosts: deps.config.execution.hosts, variables: deps.config.execution.variables };
  const loaded = await loadRepositoryConfig(deps.repoHost, repository, { policy });
  if (!loaded.ok) return { problems: renderRepositoryConfigProblems(loaded.problems) };
  if (loaded.config.specs.length) return { files: loaded.config.specs, config: loaded.config };
  return { files: deps.config.generation.issueSpecPaths.map((path) => ({ path })), config: loaded.config };
}

function checkPushPayload(payload: Record<string, unknown>): void {
  const { repository, commits } = payload;
  const wrong: string[] = [];
  if (!isObject(repository) || typeof repository.full_name !== 'string' || !isRepositoryName(repository.full_name)) wrong.push('repository.full_name must be owner/name');
  if (isObject(repository) && typeof repository.default_branch !== 'string') wrong.push('repository.default_branch must be a string');
  if (typeof payload.ref !== 'string') wrong.push('ref must be a string');
  if (!isSha(payload.after)) wrong.push('after must be a commit sha');
  if (!Array.isArray(commits) || !commits.every((c) => isObject(c) && isStringList(c.added) && isStringList(c.modified) && isStringList(c.removed))) {
    wrong.push('commits must be a list of commits with added, modified and removed file lists');
  }
  if (wrong.length) throw new MalformedPayloadError(`a push event with ${wrong.join(', ')}`);
}

/**
 * What the payload alone says of a push: throws MalformedPayloadError for a wrong field, returns why
 * it is ignored (not the default branch), undefined when it needs handling.
 */
export function triagePush(payload: PushPayload): string | undefined {
  checkPushPayload(payload);
  const branch = payload.repository.default_branch;
  return payload.ref === `refs/heads/${branch}` ? undefined : `push to ${payload.ref}, not to the default branch ${branch}`;
}

/** Like triagePush, for a pull request: only opening, reopening and new commits are handled. */
export function triagePullRequest(payload: PullRequestPayload): string | undefined {
  checkPullRequestPayload(payload);
  return ['opened', 'synchronize', 'reopened'].includes(payload.action) ? undefined : `pull_request.${payload.action} is not handled`;
}

/** A push to the default branch that adds or changes spec files: one revision run per file (an unchanged revision finds its run). */
export async function onPush(deps: WebhookDeps, payload: PushPayload): Promise<DeliveryResult> {
  const notForUs = triagePush(payload);
  if (notForUs) return ignored(notForUs);
  const repository = payload.repository.full_name;
  const touched = new Set(payload.commits.flatMap((commit) => [...(commit.added ?? []), ...(commit.modified ?? [])]));
  const found = await specFiles(deps, repository);
  if ('problems' in found) return ignored(`.testloom.yml cannot be used: ${found.problems}`);
  const changed = found.files.filter((file) => touched.has(file.path));
  if (!changed.length) return ignored(`the push changes no spec file (${found.files.map((file) => file.path).join(', ')})`);

  const started = [];
  for (const file of changed) {
    const [content] = await deps.repoHost.readFiles(repository, file.path, payload.after);
    if (!content) continue;
    const framework = file.framework ?? found.config?.framework;
    started.push(await startSpecRun(deps, { spec: { content: content.content }, name: file.path, repository, ...(framework ? { framework } : {}) }));
  }
  if (!started.length) return ignored(`the changed spec files are not in commit ${payload.after}`);
  const [first] = started;
  return {
    status: 202,
    outcome: started.every((run) => run.existing) ? 'existing' : 'started',
    reason: `revision run of ${changed.map((file) => file.path).join(', ')} at ${payload.after.slice(0, 12)}`,
    workflowId: first.workflowId,
    runId: first.runId,
  };
}

function checkPullRequestPayload(payload: Record<string, unknown>): void {
  const { repository, pull_request: pull } = payload;
  const wrong: string[] = [];
  if (!isObject(repository) || typeof repository.full_name !== 'string' || !isRepositoryName(repository.full_name)) wrong.push('repository.full_name must be owner/name');
  if (!isObject(pull) || typeof pull.number !== 'number' || !isObject(pull.head) || !isSha(pull.head.sha) || !isObject(pull.base) || !isSha(pull.base.sha)) {
    wrong.push('pull_request must have a number and head and base commit shas');
  }
  if (wrong.length) throw new MalformedPayloadError(`a pull_request event with ${wrong.join(', ')}`);
}

/** The hidden marker of the one impact comment per spec file on a pull request. */
const impactMarker = (path: string) => `<!-- testloom:spec-impact=${encodeURIComponent(path)} -->`;

/** What a spec the pull request adds is compared with: every operation in it is added. */
const NO_OPERATIONS = { openapi: '3.0.3', info: { title: '', version: '' }, paths: {} };

async function dereferenced(text: string): Promise<object | undefined> {
  const { dereferenceSpec, parseSpecDocument } = openapi();
  try {
    return await dereferenceSpec(parseSpecDocument(text).document);
  } catch {
    return undefined;
  }
}

/** The impact comment: what changed, and which delivered test files of the spec's suite it touches. */
async function impactComment(deps: WebhookDeps, repository: string, path: string, before: string | undefined, after: string): Promise<string> {
  const marker = impactMarker(path);
  const afterApi = await dereferenced(after);
  if (!afterApi) return `${marker}\ntestloom: \`${path}\` in this pull request is not a valid OpenAPI document, so its tests could not be regenerated.\n`;
  const beforeApi = before === undefined ? {} : await dereferenced(before);
  const changes = openapi().diffRevisions(beforeApi && 'paths' in beforeApi ? beforeApi : NO_OPERATIONS, afterApi);
  const delivered = await deliveredRevision(deps.db, { repository, name: path });
  const cases = delivered ? await listStoredTestCases(deps.db, delivered.runId) : [];
  const touched = new Set([...changes.changed, ...changes.removed].map((change) => change.operationId));
  const files = [...new Set(cases.filter((c) => c.operationId && touched.has(c.operationId)).map((c) => c.file))].sort();
  const lines = revisionLines(changes).map((line) => `- ${line.change} \`${line.operation}\`${line.breaking ? ' — **breaking**' : ''}${line.details ? `: ${line.details.replace(/\n/g, ' ')}` : ''}`);
  return [
    marker,
    `testloom: this pull request changes the API spec \`${path}\`: ${revisionHeadline(changes)}.`,
    ...(lines.length ? ['', ...lines] : []),
    '',
    delivered
      ? (files.length ? `Delivered test files these changes touch (they are regenerated once the change reaches the default branch):\n${files.map((file) => `- \`${file}\``).join('\n')}` : 'No delivered test file tests a changed or removed operation.')
      : 'No suite has been delivered for this spec yet.',
    '',
  ].join('\n');
}

/** An opened or updated pull request that changes spec files: one impact comment per file, kept current. */
export async function onPullRequest(deps: WebhookDeps, payload: PullRequestPayload): Promise<DeliveryResult> {
  const notForUs = triagePullRequest(payload);
  if (notForUs) return ignored(notForUs);
  const repository = payload.repository.full_name;
  const pull = payload.pull_request;
  const found = await specFiles(deps, repository);
  if ('problems' in found) {
    const marker = CONFIG_PROBLEMS_MARKER;
    await deps.repoHost.upsertIssueComment({ repository, issueNumber: pull.number, marker, body: `${marker}\n${found.problems}` });
    return { status: 202, outcome: 'commented', reason: '.testloom.yml has problems: commented on the pull request' };
  }
  if (found.config?.pullRequestComments === false) return ignored('.testloom.yml turns comments off (pullRequestComments: false)');
  const commented: string[] = [];
  for (const file of found.files) {
    const [after] = await deps.repoHost.readFiles(repository, file.path, pull.head.sha);
    const [before] = await deps.repoHost.readFiles(repository, file.path, pull.base.sha);
    if (!after || after.content === before?.content) continue;
    if (Buffer.byteLength(after.content) > deps.config.api.maxSpecBytes) continue;
    const body = await impactComment(deps, repository, file.path, before?.content, after.content);
    await deps.repoHost.upsertIssueComment({ repository, issueNumber: pull.number, marker: impactMarker(file.path), body });
    commented.push(file.path);
  }
  if (!commented.length) return ignored('the pull request changes no spec file');
  return { status: 202, outcome: 'commented', reason: `commented on the impact of ${commented.join(', ')}` };
}
