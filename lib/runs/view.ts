import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { RunRow, Tables } from '../../schema/tables';
import type { Config } from '../config';
import { listArtifactSummaries } from '../db/artifacts';
import { listExecutions } from '../db/executions';
import type { ExecutionRow } from '../../schema/tables';
import { getReviewSummary } from '../db/reviews';
import { getRun } from '../db/runs';
import { listStageEvents } from '../db/stage-events';
import { webUiLink } from '../temporal/client';
import type { RunState } from '../core/contract';
import { statusQuery } from '../core/workflows';

const LIVE_QUERY_MS = 3_000;

/** The workflow's own view, read live from Temporal; absent when the server cannot be asked. */
async function liveState(client: Client, run: RunRow): Promise<{ temporalStatus: string; state?: RunState } | { unavailable: string }> {
  try {
    const handle = client.workflow.getHandle(run.workflowId, run.id);
    const description = await client.withDeadline(Date.now() + LIVE_QUERY_MS, () => handle.describe());
    const temporalStatus = description.status.name;
    if (temporalStatus !== 'RUNNING') return { temporalStatus };
    const state = await client.withDeadline(Date.now() + LIVE_QUERY_MS, () => handle.query(statusQuery));
    return { temporalStatus, state };
  } catch (err) {
    return { unavailable: (err as Error).message };
  }
}

export function summarizeRun(run: RunRow) {
  return {
    id: run.id,
    workflowId: run.workflowId,
    trigger: run.trigger,
    repository: run.repository,
    specId: run.specId,
    status: run.status,
    stage: run.stage,
    error: run.error ? { stage: run.errorStage, message: run.error } : null,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    finishedAt: run.finishedAt,
  };
}

/** Everything known about one run: database record, stage attempts, files, review and live state. */
export async function describeRun(deps: { db: Kysely<Tables>; client: Client; config: Config }, id: string) {
  const run = await getRun(deps.db, id);
  if (!run) return undefined;
  const { result } = run;
  const [stages, artifacts, executions, review, live] = await Promise.all([
    listStageEvents(deps.db, run.id),
    listArtifactSummaries(deps.db, run.id),
    listExecutions(deps.db, run.id),
    result?.commit ? getReviewSummary(deps.db, run.repository, result.commit.branch) : undefined,
    liveState(deps.client, run),
  ]);
  return {
    ...summarizeRun(run),
    subject: run.subject,
    details: run.details,
    result,
    stages: stages.map((event) => ({
      stage: event.stage,
      attempt: event.attempt,
      outcome: event.outcome,
      startedAt: event.startedAt,
      endedAt: event.endedAt,
      error: event.error,
    })),
    // `delivery`: what the execute stage decided (as generated unless the run executed its suite).
    artifacts: artifacts.map(({ path, kind, sha256, edited, withheldReason }) => ({
      path, kind, sha256,
      delivery: withheldReason !== null ? { status: 'withheld', reason: withheldReason } : { status: edited ? 'edited' : 'as generated' },
    })),
    executions: executions.map(viewExecution),
    review: review ? { id: review.id, title: review.title, status: review.status, headBranch: review.headBranch, headSha: review.headSha } : null,
    live,
    links: { temporalUi: webUiLink(deps.config, run.workflowId, run.id) },
  };
}

/** An execution as the API shows it; `report` only when it was read (a single execution). */
export function viewExecution(execution: Omit<ExecutionRow, 'report'> & { report?: unknown }) {
  return {
    id: execution.id,
    runId: execution.runId,
    workflowId: execution.workflowId,
    kind: execution.kind,
    status: execution.status,
    target: execution.target,
    summary: execution.summary,
    ...(execution.report !== undefined ? { report: execution.report } : {}),
    error: execution.error,
    createdAt: execution.createdAt,
    finishedAt: execution.finishedAt,
  };
}

export type RunView = NonNullable<Awaited<ReturnType<typeof describeRun>>>;
