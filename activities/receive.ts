import { deliveredRevision, updateRun, upsertRun } from '../lib/db/runs';
import { acceptanceCriteria } from '../lib/issues';
import { listOperations } from '../lib/openapi';
import { diffRevisions } from '../lib/openapi/revision-diff';
import { slugify } from '../lib/core/subject';
import { DEFAULT_GENERATION_LIMITS, operationLimitError } from '../lib/core/limits';
import { UnknownIssueError } from '../lib/repohost/types';
import { SpecValidationError } from '../lib/openapi/dereference';
import { loadStoredSpec, normalizeStoredSpec, SpecTooLargeError, UnknownSpecError } from '../lib/openapi/stored';
import type { GenerateTestsInput, IssueSubject, SpecRevision, SpecSubject, Subject } from '../lib/core/contract';
import { currentRun, permanent, recordStage, type ActivityDeps } from './stage';
import { applyRepositoryConfig } from '../lib/runs/repository-settings';

/** How a missing or invalid spec ends the run: retrying cannot fix it. */
async function specOrPermanentFailure<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof UnknownSpecError) throw permanent(err.message, 'UnknownSpec');
    if (err instanceof SpecValidationError) throw permanent(err.message, 'InvalidSpec');
    if (err instanceof SpecTooLargeError) throw permanent(err.message, 'SpecTooLarge');
    throw err;
  }
}

/** The stored spec, dereferenced, for the stages after receive: its normalized form, not a second validation. */
export function loadDereferencedSpec(deps: ActivityDeps, specId: string) {
  return specOrPermanentFailure(() => loadStoredSpec(deps.db, specId));
}

/** How the spec differs from the revision last delivered under its name; undefined for a first revision. */
async function specRevision(deps: ActivityDeps, repository: string, name: string, specId: string, api: object): Promise<SpecRevision | undefined> {
  const previous = await deliveredRevision(deps.db, { repository, name }, { runId: currentRun().runId, specId });
  if (!previous) return undefined;
  const before = await loadDereferencedSpec(deps, previous.specId);
  return { previousRunId: previous.runId, previousSpecId: previous.specId, changes: diffRevisions(before.api, api) };
}

async function specSubject(deps: ActivityDeps, input: GenerateTestsInput, spec: NonNullable<GenerateTestsInput['spec']>): Promise<SpecSubject> {
  // The one full read of the spec in a run: validated, dereferenced and stored normalized.
  const limitError = (count: number) => operationLimitError(count, deps.limits ?? DEFAULT_GENERATION_LIMITS);
  const { api } = await specOrPermanentFailure(() => normalizeStoredSpec(deps.db, spec.id, limitError));
  const operationCount = listOperations(api).length;
  const tooLarge = limitError(operationCount);
  if (tooLarge) throw permanent(tooLarge, 'SpecTooLarge');
  const info = (api as { info?: { title?: string; version?: string } }).info ?? {};
  const revision = spec.name ? await specRevision(deps, input.repository, spec.name, spec.id, api) : undefined;
  return {
    kind: 'spec',
    specId: spec.id,
    repository: input.repository,
    title: info.title ?? 'API',
    version: info.version,
    openapiVersion: String((api as { openapi?: string; swagger?: string }).openapi ?? (api as { swagger?: string }).swagger),
    operationCount,
    source: spec.source,
    // Named specs keep their folder when a revision renames the API.
    slug: slugify(spec.name ?? info.title ?? 'api'),
    ...(input.framework ? { framework: input.framework } : {}),
    ...(spec.name ? { name: spec.name } : {}),
    ...(input.ciWorkflow ? { ciWorkflow: true } : {}),
    ...(revision ? { revision } : {}),
  };
}

/** The issue as the repository host has it now (not as a webhook once described it). */
async function issueSubject(deps: ActivityDeps, input: GenerateTestsInput, repository: string, number: number): Promise<IssueSubject> {
  try {
    const issue = await deps.repoHost.getIssue(repository, number);
    return {
      kind: 'issue',
      repository,
      number,
      title: issue.title,
      body: issue.body,
      labels: issue.labels,
      author: issue.author,
      url: issue.url,
      acceptanceCriteria: acceptanceCriteria(issue.body),
      slug: `issue-${number}`,
      ...(input.issue?.specPaths ? { specPaths: input.issue.specPaths } : {}),
      ...(input.framework ? { framework: input.framework } : {}),
    };
  } catch (err) {
    if (err instanceof UnknownIssueError) throw permanent(err.message, 'UnknownIssue');
    throw err;
  }
}

export function receiveActivity(deps: ActivityDeps) {
  return async function receive(input: GenerateTestsInput): Promise<Subject> {
    const { runId, workflowId } = currentRun();
    // The starter normally created the row already; this makes the stage correct on its own.
    await upsertRun(deps.db, { id: runId, workflowId, trigger: input.trigger, repository: input.repository, specId: input.spec?.id ?? null });
    return recordStage(deps, 'receive', async () => {
      let subject: Subject;
      if (input.spec) subject = await specSubject(deps, input, input.spec);
      else if (input.issue) subject = await issueSubject(deps, input, input.repository, input.issue.number);
      else throw permanent('the run names neither a spec nor an issue', 'InvalidInput');
      subject = await applyRepositoryConfig({ repoHost: deps.repoHost, policy: deps.executionPolicy ?? { hosts: [], variables: [] } }, subject);
      await updateRun(deps.db, runId, { subject });
      return subject;
    });
  };
}
