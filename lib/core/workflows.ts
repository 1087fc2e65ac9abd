/**
 * The workflows' contract with everything that talks to them (API, CLI, webhooks, tests): their
 * names and types, signals and queries. Workflow code and clients both import this module, so it
 * imports nothing but the workflow SDK and lib/core. The names are recorded in every workflow
 * history and used by running workers: changing one breaks runs in flight.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ExecuteRunInput, ExecutionSummary, GenerateTestsInput, RunResult, RunState } from './contract';

export type GenerateTestsWorkflow = (input: GenerateTestsInput) => Promise<RunResult>;
export type ExecuteRunWorkflow = (input: ExecuteRunInput) => Promise<ExecutionSummary>;

/** Every workflow by its name; workflows/index.ts exports exactly these functions. */
export interface Workflows {
  generateTests: GenerateTestsWorkflow;
  executeRun: ExecuteRunWorkflow;
}
export type WorkflowName = keyof Workflows;

export const WORKFLOW: { readonly [Name in WorkflowName]: Name } = { generateTests: 'generateTests', executeRun: 'executeRun' };

export interface CancelRequest {
  reason?: string;
}

export interface RegenerateRequest {
  feedback?: string;
}

/** generateTests: where the run is (stages, errors, feedback so far). */
export const statusQuery = defineQuery<RunState>('status');
/** generateTests: stop the run; it records the reason and ends as cancelled. */
export const cancelSignal = defineSignal<[CancelRequest?]>('cancel');
/** generateTests, `/testloom regenerate [feedback]`: once the current generation is delivered, generate again. */
export const regenerateSignal = defineSignal<[RegenerateRequest?]>('regenerate');

export interface ExecutionState {
  status: 'running' | 'completed' | 'failed';
}

/** executeRun: whether the execution is still running. */
export const executionStatusQuery = defineQuery<ExecutionState>('status');
