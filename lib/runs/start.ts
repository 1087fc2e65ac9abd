import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Tables } from '../../schema/tables';
import type { Config } from '../config';
import { upsertRun } from '../db/runs';
import { saveSpec } from '../db/specs';
import { parseSpecDocument } from '../spec/document';
import { loadSpecText, type SpecReference } from '../spec/load';
import type { GenerateTestsInput } from './contract';
import { REPOSITORY_ATTRIBUTE, STATUS_ATTRIBUTE, TRIGGER_ATTRIBUTE } from './search-attributes';

export interface StartedRun {
  runId: string;
  workflowId: string;
  specId: string;
  /** True when the request matched a run that already existed (nothing new was started). */
  existing: boolean;
}

export function specWorkflowId(specId: string, repository: string): string {
  return `spec:${specId}:${repository}`;
}

/**
 * Loads and stores the spec, then starts its workflow. The workflow id is derived from the spec's
 * content and the target repository, so repeating a request finds the run it already started; only
 * a failed or cancelled run is started afresh.
 */
export async function startSpecRun(
  deps: { db: Kysely<Tables>; client: Client; config: Config },
  request: { spec: SpecReference; repository?: string },
): Promise<StartedRun> {
  const { db, client, config } = deps;
  const repository = request.repository ?? config.repos.defaultRepository;
  const loaded = await loadSpecText(request.spec, config.api.maxSpecBytes);
  const field = request.spec.content !== undefined ? 'spec.content' : request.spec.path !== undefined ? 'spec.path' : 'spec.url';
  const spec = parseSpecDocument(loaded.text, field);
  await saveSpec(db, {
    id: spec.id,
    content: loaded.text,
    format: spec.format,
    sourceKind: loaded.source.kind,
    sourceLocation: loaded.source.location ?? null,
    title: spec.title ?? null,
    openapiVersion: spec.openapiVersion ?? null,
  });

  const workflowId = specWorkflowId(spec.id, repository);
  const input: GenerateTestsInput = {
    trigger: 'spec',
    repository,
    spec: { id: spec.id, source: loaded.source },
    settings: { taskQueue: config.temporal.taskQueues.io, stages: config.temporal.stages },
  };
  try {
    const handle = await client.workflow.start('generateTests', {
      workflowId,
      taskQueue: config.temporal.taskQueues.io,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      typedSearchAttributes: [
        { key: TRIGGER_ATTRIBUTE, value: 'spec' },
        { key: REPOSITORY_ATTRIBUTE, value: repository },
        { key: STATUS_ATTRIBUTE, value: 'queued' },
      ],
    });
    await upsertRun(db, { id: handle.firstExecutionRunId, workflowId, trigger: 'spec', repository, specId: spec.id });
    return { runId: handle.firstExecutionRunId, workflowId, specId: spec.id, existing: false };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const description = await client.workflow.getHandle(workflowId).describe();
    await upsertRun(db, { id: description.runId, workflowId, trigger: 'spec', repository, specId: spec.id });
    return { runId: description.runId, workflowId, specId: spec.id, existing: true };
  }
}
