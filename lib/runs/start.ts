import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Tables } from '../../schema/tables';
import type { Config } from '../config';
import { loadRepositoryConfig, type RepositoryConfig } from '../config/repository-config';
import type { RepoHost } from '../repohost/types';
import { activeRunsWithWorkflowPrefix, upsertRun } from '../db/runs';
import { saveSpec } from '../db/specs';
import type * as PrepareModule from '../openapi/intake/prepare';
import type { SpecReference } from '../openapi/intake/load';
import { issueWorkflowId, type IssueRef } from '../issues/issue-ref';
import type { TargetConfig } from '../core/target';
import type { FrameworkName } from '../core/frameworks';
import { checkTargetRequest } from '../core/target-policy';
import type { ExecutionRequest, GenerateTestsInput } from '../core/contract';
import { REPOSITORY_ATTRIBUTE, STATUS_ATTRIBUTE, TRIGGER_ATTRIBUTE } from '../core/search-attributes';
import { cancelSignal, regenerateSignal, WORKFLOW } from '../core/workflows';
import { defaultSpecName } from '../core/subject';
import { signalWithStartWorkflow, startWorkflow } from '../temporal/workflows';
import type * as CredentialsModule from './credentials';
import { refuseOtherOptions, RUN_OPTIONS_MEMO, runOptionsOf, type RunOptions } from './run-options';

/* eslint-disable @typescript-eslint/no-require-imports -- the OpenAPI intake (parsers, $ref
   resolution, validation) is loaded by the first spec run, not by every API process at start. */
const intake = () => require('../openapi/intake/prepare') as typeof PrepareModule;
const credentials = () => require('./credentials') as typeof CredentialsModule;
/* eslint-enable @typescript-eslint/no-require-imports */

export interface StartedRun {
  runId: string;
  workflowId: string;
  /** Set for spec runs. */
  specId?: string;
  /** True when the request matched a run that already existed (nothing new was started). */
  existing: boolean;
}

export type StartDeps = {
  db: Kysely<Tables>;
  client: Client;
  config: Config;
  /** Where the repository's `.testloom.yml` is read (target, runs, framework); absent: it is not read. */
  repoHost?: RepoHost;
};

/**
 * The repository's `.testloom.yml` when it can be used. A bad file changes nothing here: the run
 * starts with the operator's settings and its receive stage reports the file's problems.
 */
async function repositoryConfig(deps: StartDeps, repository: string): Promise<RepositoryConfig | undefined> {
  if (!deps.repoHost) return undefined;
  const policy = { hosts: deps.config.execution.hosts, variables: deps.config.execution.variables };
  const loaded = await loadRepositoryConfig(deps.repoHost, repository, { policy });
  return loaded.ok && loaded.found ? loaded.config : undefined;
}

/**
 * The execute stage's request for a run: the target the request names (checked against the
 * operator's host allow-list), else the repository's own (`.testloom.yml`, checked when read), else
 * the operator's for the repository (TESTLOOM_TARGETS_FILE); none means no execute stage.
 */
export function executionRequest(
  config: Config, repository: string, requested?: TargetConfig, fromRepository?: RepositoryConfig,
): ExecutionRequest | undefined {
  const target = requested ? checkTargetRequest(requested, config.execution) : fromRepository?.target ?? config.execution.targets[repository];
  if (!target) return undefined;
  const runs = fromRepository?.execution.runs ?? config.execution.runs;
  return { target, runs, timeLimitMs: config.execution.timeLimitMs, healRounds: config.execution.healRounds };
}

/** Every revision of one named spec in one repository shares this prefix. */
const specIdentity = (repository: string, name: string) => `spec:${repository}:${name}@`;

/** One revision of one named spec in one repository: `spec:acme/shop:payments@<sha256>`. */
function specWorkflowId(repository: string, name: string, specId: string): string {
  return `${specIdentity(repository, name)}${specId}`;
}

/**
 * A new revision makes the older ones still running pointless, and they would race it for the
 * branch: each gets the cancel signal, as a new push cancels the CI run of the push before.
 */
async function cancelSupersededRevisions(deps: StartDeps, repository: string, name: string, started: StartedRun): Promise<void> {
  for (const older of await activeRunsWithWorkflowPrefix(deps.db, specIdentity(repository, name), started.runId)) {
    if (older.workflowId === started.workflowId) continue;
    try {
      await deps.client.workflow.getHandle(older.workflowId, older.id).signal(cancelSignal, { reason: `superseded by a newer revision of ${name} (run ${started.runId})` });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err; // it ended meanwhile
    }
  }
}

/**
 * Loads and stores the spec, then starts its workflow. The spec's identity is its repository and
 * name (the request's, else the spec's title): every revision of it updates one branch and pull
 * request. The workflow id adds the content hash, so repeating a request finds the run it already started; a
 * request with other options (framework, target) gets a RunConflictError naming them unless it asks
 * for a new run (`rerun`), which starts once the run found has ended, under the same workflow id
 * (so it updates the same branch and pull request).
 */
export async function startSpecRun(
  deps: StartDeps,
  request: { spec: SpecReference; name?: string; repository?: string; framework?: FrameworkName; target?: TargetConfig; rerun?: boolean },
): Promise<StartedRun> {
  const { db, config } = deps;
  const repository = request.repository ?? config.repos.defaultRepository;
  // Checked before the spec is fetched or stored: a bad target changes nothing.
  if (request.target) checkTargetRequest(request.target, config.execution);
  const loaded = await intake().prepareSpec(request.spec, {
    maxBytes: config.api.maxSpecBytes, roots: config.api.specRoots, urlHosts: config.api.specUrlHosts,
  });
  const fromRepository = await repositoryConfig(deps, repository);
  const execution = executionRequest(config, repository, request.target, fromRepository);
  // The credential variables a requested target names must be ones the spec's suite reads.
  await credentials().checkSpecCredentials(loaded, request.target);
  const { spec } = loaded;
  await saveSpec(db, {
    id: spec.id,
    content: loaded.text,
    format: spec.format,
    sourceKind: loaded.source.kind,
    sourceLocation: loaded.source.location ?? null,
    title: spec.title ?? null,
    openapiVersion: spec.openapiVersion ?? null,
  });

  const name = request.name ?? defaultSpecName(spec.title);
  const input: GenerateTestsInput = {
    trigger: 'spec',
    repository,
    spec: { id: spec.id, source: loaded.source, name },
    ciWorkflow: config.generation.ciWorkflow,
    framework: request.framework ?? fromRepository?.framework ?? config.generation.framework,
    ...(execution ? { execution } : {}),
    settings: runSettings(config),
  };
  const started = await startRun(deps, {
    workflowId: specWorkflowId(repository, name, spec.id),
    input,
    specId: spec.id,
    // A repeated request finds the run it started; only a failed or cancelled run starts afresh,
    // or any ended one when the request asks for a new run. A running one is never replaced.
    reuse: request.rerun ? WorkflowIdReusePolicy.ALLOW_DUPLICATE : WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    options: runOptionsOf(input),
  });
  if (!started.existing) await cancelSupersededRevisions(deps, repository, name, started);
  return started;
}

/** The task queues and stage settings a run keeps for its whole life (replayed as recorded). */
function runSettings(config: Config): GenerateTestsInput['settings'] {
  const { io, llm, execute } = config.temporal.taskQueues;
  return { taskQueue: io, llmTaskQueue: llm, executeTaskQueue: execute, stages: config.temporal.stages };
}

async function issueInput(deps: StartDeps, issue: IssueRef): Promise<GenerateTestsInput> {
  const { config } = deps;
  const fromRepository = await repositoryConfig(deps, issue.repository);
  const execution = executionRequest(config, issue.repository, undefined, fromRepository);
  return {
    trigger: 'issue',
    repository: issue.repository,
    issue: { number: issue.number, specPaths: fromRepository?.specs.length ? fromRepository.specs.map((spec) => spec.path) : config.generation.issueSpecPaths },
    framework: fromRepository?.framework ?? config.generation.framework,
    ...(execution ? { execution } : {}),
    settings: runSettings(config),
  };
}

/**
 * Starts the run of an issue. Every request about one issue lands on the same workflow id, so a
 * redelivered or duplicated webhook finds the run already there; only a failed or cancelled run
 * starts afresh.
 */
export async function startIssueRun(deps: StartDeps, issue: IssueRef): Promise<StartedRun> {
  return startRun(deps, {
    workflowId: issueWorkflowId(issue),
    input: await issueInput(deps, issue),
    reuse: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
  });
}

/**
 * `/testloom regenerate [feedback]` in one atomic call (signal-with-start): a running run gets the
 * feedback (and generates again once done, as a new run of the workflow); a finished one — even a
 * completed one, whose runs stay in the workflow's history — is followed by a new run that starts
 * with the feedback.
 */
export async function regenerateIssueRun(deps: StartDeps, issue: IssueRef, feedback: string): Promise<StartedRun> {
  const workflowId = issueWorkflowId(issue);
  const input = await issueInput(deps, issue);
  const handle = await signalWithStartWorkflow(deps.client, WORKFLOW.generateTests, {
    workflowId,
    taskQueue: deps.config.temporal.taskQueues.io,
    args: [input],
    signal: regenerateSignal,
    signalArgs: [{ feedback }],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    typedSearchAttributes: searchAttributes(input),
  });
  const runId = handle.signaledRunId;
  await upsertRun(deps.db, { id: runId, workflowId, trigger: 'issue', repository: issue.repository, specId: null });
  return { runId, workflowId, existing: false };
}

export function searchAttributes(input: GenerateTestsInput) {
  return [
    { key: TRIGGER_ATTRIBUTE, value: input.trigger },
    { key: REPOSITORY_ATTRIBUTE, value: input.repository },
    { key: STATUS_ATTRIBUTE, value: 'queued' },
  ];
}

/** Starts a generateTests workflow and records its run; a workflow already running under the id is found instead (`existing`). */
export async function startRun(
  deps: StartDeps,
  run: { workflowId: string; input: GenerateTestsInput; specId?: string; reuse: WorkflowIdReusePolicy; options?: RunOptions },
): Promise<StartedRun> {
  const { db, client, config } = deps;
  const { workflowId, input, specId } = run;
  const row = { workflowId, trigger: input.trigger, repository: input.repository, specId: specId ?? null };
  try {
    const handle = await startWorkflow(client, WORKFLOW.generateTests, {
      workflowId,
      taskQueue: config.temporal.taskQueues.io,
      args: [input],
      workflowIdReusePolicy: run.reuse,
      typedSearchAttributes: searchAttributes(input),
      ...(run.options ? { memo: { [RUN_OPTIONS_MEMO]: run.options } } : {}),
    });
    await upsertRun(db, { id: handle.firstExecutionRunId, ...row });
    return { runId: handle.firstExecutionRunId, workflowId, ...(specId ? { specId } : {}), existing: false };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const description = await client.workflow.getHandle(workflowId).describe();
    await upsertRun(db, { id: description.runId, ...row });
    // The run found answers the request only if it was started with the options asked for.
    if (run.options) await refuseOtherOptions(client, description, run.options);
    return { runId: description.runId, workflowId, ...(specId ? { specId } : {}), existing: true };
  }
}
