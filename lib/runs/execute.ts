import { createHash } from 'node:crypto';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { RunRow, Tables } from '../../schema/tables';
import type { Config } from '../config';
import { startExecution as recordExecution } from '../db/executions';
import { getRun } from '../db/runs';
import type { ExecuteRunInput, ExecutionRequest } from '../core/contract';
import type { TargetConfig } from '../core/target';
import { WORKFLOW } from '../core/workflows';
import { startWorkflow } from '../temporal/workflows';
import { executionRequest } from './start';

export class RunNotExecutableError extends Error {
  constructor(message: string, readonly reason: 'unknown-run' | 'no-suite' | 'no-target') {
    super(message);
    this.name = 'RunNotExecutableError';
  }
}

export interface StartedExecution {
  executionId: string;
  workflowId: string;
  runId: string;
  /** True when the same execution (same run, same target) was already running. */
  existing: boolean;
}

type Deps = { db: Kysely<Tables>; client: Client; config: Config };

/** One workflow per run, target (and fail-fast / budget, when asked for) while it runs: a double click finds it; a later request executes again. */
function executionWorkflowId(runId: string, target: TargetConfig, cut: PrioritisedExecution = {}): string {
  const identity = cut.failFast || cut.budget !== undefined ? { target, failFast: cut.failFast === true, budget: cut.budget ?? null } : target;
  return `execute:${runId}:${createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16)}`;
}

/** What a later execution may cut short: the execute stage before commit always runs every test. */
export interface PrioritisedExecution {
  failFast?: boolean;
  budget?: number;
}

/**
 * The run (by run or workflow id) and what executing its suite means: the requested target checked
 * against the operator's allow-list, or the repository's configured one.
 */
export async function executableRun(deps: Pick<Deps, 'db' | 'config'>, id: string, requested?: TargetConfig): Promise<{ run: RunRow; request: ExecutionRequest }> {
  const run = await getRun(deps.db, id);
  if (!run) throw new RunNotExecutableError(`run ${id} not found`, 'unknown-run');
  if (!run.details.generation?.executable) {
    throw new RunNotExecutableError(`run ${run.id} (${run.status}) has no generated API suite to execute`, 'no-suite');
  }
  const request = executionRequest(deps.config, run.repository, requested);
  if (!request) throw new RunNotExecutableError(`target: is required (no target is configured for ${run.repository} in TESTLOOM_TARGETS_FILE)`, 'no-target');
  return { run, request };
}

/** The `settings` of an executeRun input: the execute stage's, from temporal.yaml. */
export function executionSettings(config: Config): ExecuteRunInput['settings'] {
  return { taskQueue: config.temporal.taskQueues.execute, stage: config.temporal.stages.execute };
}

/** Starts a later execution of a run's generated suite against `target` (or the repository's configured one). */
export async function requestExecution(deps: Deps, id: string, requested?: TargetConfig, cut: PrioritisedExecution = {}): Promise<StartedExecution> {
  const executable = await executableRun(deps, id, requested);
  const { run } = executable;
  const request: ExecutionRequest = {
    ...executable.request,
    ...(cut.failFast ? { failFast: true } : {}),
    ...(cut.budget !== undefined ? { budget: cut.budget } : {}),
  };
  const workflowId = executionWorkflowId(run.id, request.target, cut);
  const handle = deps.client.workflow.getHandle(workflowId);
  const running = await handle.describe().then((d) => (d.status.name === 'RUNNING' ? d.runId : undefined), () => undefined);
  if (running) return { executionId: running, workflowId, runId: run.id, existing: true };
  const started = await startWorkflow(deps.client, WORKFLOW.executeRun, {
    workflowId,
    taskQueue: deps.config.temporal.taskQueues.io,
    args: [{ runId: run.id, request, settings: executionSettings(deps.config) }],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  // Recorded now, so the execution can be looked up before a worker picks it up.
  await recordExecution(deps.db, { id: started.firstExecutionRunId, runId: run.id, workflowId, kind: 'request', target: request.target }, { keepExisting: true });
  return { executionId: started.firstExecutionRunId, workflowId, runId: run.id, existing: false };
}
