/** Starting workflows by their contract (lib/core/workflows.ts): the name picks the argument and result types. */
import type { Client, ScheduleOptionsStartWorkflowAction, WorkflowSignalWithStartOptions, WorkflowStartOptions } from '@temporalio/client';
import type { WithWorkflowArgs } from '@temporalio/common';
import { WORKFLOW, type WorkflowName, type Workflows } from '../core/workflows';

export function startWorkflow<Name extends WorkflowName>(client: Client, name: Name, options: WorkflowStartOptions<Workflows[Name]>) {
  return client.workflow.start<Workflows[Name]>(WORKFLOW[name], options);
}

/** Signals the running workflow with this id, or starts one and signals it (one atomic call). */
export function signalWithStartWorkflow<Name extends WorkflowName, SignalArgs extends unknown[]>(
  client: Client,
  name: Name,
  options: WithWorkflowArgs<Workflows[Name], WorkflowSignalWithStartOptions<SignalArgs>>,
) {
  return client.workflow.signalWithStart<Workflows[Name], SignalArgs>(WORKFLOW[name], options);
}

/** A schedule's action that starts a workflow by its contract name, with its argument types. */
export function scheduledStart<Name extends WorkflowName>(
  name: Name,
  options: Omit<ScheduleOptionsStartWorkflowAction<Workflows[Name]>, 'type' | 'workflowType'>,
): ScheduleOptionsStartWorkflowAction<Workflows[Name]> {
  return { type: 'startWorkflow', workflowType: WORKFLOW[name], ...options };
}
