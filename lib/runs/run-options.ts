/**
 * The options a spec run was started with, and what a repeated request for the same spec and
 * repository gets when it asks for others: never the old run as if it were the one asked for.
 *
 * The options travel in the workflow's memo (set atomically with the start, returned by describe);
 * runs started before the memo existed are read from their input in history.
 */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { GenerateTestsInput } from '../core/contract';
import { DEFAULT_FRAMEWORK, type FrameworkName } from '../core/frameworks';
import type { TargetConfig } from '../core/target';

/** What a spec run request chooses besides the spec and the repository (the workflow id's parts). */
export interface RunOptions {
  framework: FrameworkName;
  /** The API the execute stage runs the suite against (requested or the repository's configured one); null: no execute stage. */
  target: TargetConfig | null;
}

/** The memo key holding a spec run's RunOptions. */
export const RUN_OPTIONS_MEMO = 'testloomRunOptions';

export function runOptionsOf(input: GenerateTestsInput): RunOptions {
  return { framework: input.framework ?? DEFAULT_FRAMEWORK, target: input.execution?.target ?? null };
}

export interface OptionDifference {
  /** As a request spells it: `framework`, `target.baseUrl`, `target.env.API_AUTH_BEARER_AUTH`… */
  field: string;
  existing: string;
  requested: string;
}

const sorted = (values: string[] | undefined) => [...(values ?? [])].sort();
const list = (values: string[]) => (values.length ? values.join(', ') : 'none');

/** Each option the two differ in; empty when the request asks for what the run already is. */
export function optionDifferences(existing: RunOptions, requested: RunOptions): OptionDifference[] {
  const differences: OptionDifference[] = [];
  const differ = (field: string, a: string, b: string) => {
    if (a !== b) differences.push({ field, existing: a, requested: b });
  };
  differ('framework', existing.framework, requested.framework);
  const [a, b] = [existing.target, requested.target];
  if (!a || !b) {
    if (a || b) differ('target', a ? a.baseUrl : 'none (no execute stage)', b ? b.baseUrl : 'none (no execute stage)');
    return differences;
  }
  differ('target.baseUrl', a.baseUrl, b.baseUrl);
  differ('target.allowedMethods', list(sorted(a.allowedMethods)), list(sorted(b.allowedMethods)));
  differ('target.allowedHosts', list(sorted(a.allowedHosts)), list(sorted(b.allowedHosts)));
  const names = [...new Set([...Object.keys(a.env ?? {}), ...Object.keys(b.env ?? {})])].sort();
  for (const name of names) differ(`target.env.${name}`, a.env?.[name] ?? 'unset', b.env?.[name] ?? 'unset');
  return differences;
}

/**
 * The options the described run was started with: from its memo, else (a run started before the
 * memo existed) from its input in history; undefined when neither can be read.
 */
export async function startedRunOptions(client: Client, description: WorkflowExecutionDescription): Promise<RunOptions | undefined> {
  const memo = description.memo?.[RUN_OPTIONS_MEMO] as RunOptions | undefined;
  if (memo) return memo;
  try {
    const history = await client.workflow.getHandle(description.workflowId, description.runId).fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const input = await decodeFromPayloadsAtIndex<GenerateTestsInput>(client.options.loadedDataConverter, 0, started?.input?.payloads);
    return input ? runOptionsOf(input) : undefined;
  } catch {
    return undefined;
  }
}

/** A spec run for this spec and repository exists with other options: the request must ask for a new run, and that only once it ended. */
export class RunConflictError extends Error {
  constructor(
    readonly runId: string,
    readonly workflowId: string,
    /** The run found is still running: a new run may start only once it ended. */
    readonly running: boolean,
    readonly differences: OptionDifference[],
  ) {
    const options = differences.map((d) => `${d.field} is ${d.existing} there, ${d.requested} here`).join('; ');
    const next = running
      ? `it is still running: cancel it (POST /api/v1/runs/${runId}/cancel) or wait for it to end, then ask again with "rerun": true`
      : 'ask again with "rerun": true to start a new run with these options (it updates the same branch and pull request)';
    super(`run ${runId} (workflow ${workflowId}) already exists for this spec and repository with other options (${options}); ${next}`);
    this.name = 'RunConflictError';
  }
}

/**
 * Throws RunConflictError when the run found was started with other options than the request asks
 * for; a run whose options cannot be read is taken as it is.
 */
export async function refuseOtherOptions(client: Client, description: WorkflowExecutionDescription, requested: RunOptions): Promise<void> {
  const existing = await startedRunOptions(client, description);
  if (!existing) return;
  const differences = optionDifferences(existing, requested);
  if (differences.length) throw new RunConflictError(description.runId, description.workflowId, description.status.name === 'RUNNING', differences);
}
