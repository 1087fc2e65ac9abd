/** Tools over executions: run a delivered suite against an API again, and read what an execution found. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';
import { runPath, type TestloomApi } from '../../lib/net/testloom-api';
import { followExecution } from '../follow';
import { executionCountsSchema, runIdArgument, targetArgument, waitArguments } from '../schemas';
import { executionCounts, type ApiExecution, type ApiFinding, type ApiRun } from '../views';
import { answer, ArgumentError, guarded } from './result';

const findingSchema = z.object({
  file: z.string(),
  fullName: z.string(),
  classification: z.string().describe('possible-api-defect: the API contradicts its spec; test-defect: the test is wrong; blocked: not verified'),
  operationId: z.string().nullable(),
  reasons: z.array(z.string()),
  failure: z.string().nullable(),
  reproducer: z.string().nullable().describe('A curl command that sends the request again, straight to the API'),
  exchange: z.object({ method: z.string(), url: z.string(), status: z.number().nullable(), error: z.string().nullable() }).nullable(),
});

export const findingsShape = {
  runId: z.string(),
  executionId: z.string(),
  status: z.string(),
  baseUrl: z.string().nullable(),
  counts: executionCountsSchema,
  findings: z.array(findingSchema),
  flaky: z.array(z.object({ file: z.string(), fullName: z.string(), outcomes: z.array(z.string()), failure: z.string().nullable() })),
};

const executedShape = {
  runId: z.string(), executionId: z.string(), workflowId: z.string(), existing: z.boolean(), finished: z.boolean(), status: z.string(),
  counts: executionCountsSchema, error: z.string().nullable(), message: z.string(),
};

export type Findings = z.infer<z.ZodObject<typeof findingsShape>>;

function toFinding(f: ApiFinding): z.infer<typeof findingSchema> {
  return {
    file: f.file, fullName: f.fullName, classification: f.classification, operationId: f.operationId ?? null, reasons: f.reasons,
    failure: f.failureMessage ?? null, reproducer: f.reproducer ?? null,
    exchange: f.exchange
      ? { method: f.exchange.method, url: f.exchange.url, status: f.exchange.status ?? null, error: f.exchange.error ?? f.exchange.refused?.message ?? null }
      : null,
  };
}

/** An execution's findings: the report's (every classification) or, for one without a report, the summary's API defects. */
export async function readFindings(api: TestloomApi, runId: string, executionId?: string): Promise<Findings> {
  let id = executionId;
  if (!id) {
    const run = await api.get<ApiRun>(runPath(runId));
    id = run.executions[0]?.id;
    if (!id) throw new ArgumentError('executionId', `run ${run.id} has no execution yet: call execute_run first (or start the run with a target)`);
  }
  const execution = await api.get<ApiExecution>(runPath(runId, 'executions', id));
  const summary = execution.summary;
  const findings = execution.report?.findings?.map(toFinding)
    ?? (summary?.apiDefects ?? []).map((d) => toFinding({ ...d, classification: 'possible-api-defect' }));
  return {
    runId: execution.runId,
    executionId: execution.id,
    status: execution.status,
    baseUrl: execution.target?.baseUrl ?? null,
    counts: executionCounts(summary),
    findings,
    flaky: (summary?.flaky ?? []).map((t) => ({ file: t.file, fullName: t.fullName, outcomes: t.outcomes, failure: t.failure ?? null })),
  };
}

export function registerExecutionTools(server: McpServer, api: TestloomApi): void {
  server.registerTool('execute_run', {
    title: 'Execute a run\'s suite',
    description: [
      'Run a finished run\'s generated suite against an API again (default: the repository\'s configured target) through testloom\'s recording,',
      'host- and method-enforcing proxy, several times; triage failures and measure coverage. Nothing is committed.',
      'The suite sends destructive methods only when target.allowedMethods lists them.',
      'With wait (default), follows the execution with progress notifications and answers when it ends or after waitSeconds.',
    ].join(' '),
    inputSchema: {
      runId: runIdArgument,
      target: targetArgument.optional(),
      failFast: z.boolean().optional().describe('Stop each run at the first failing test (tests most likely to fail first)'),
      budget: z.number().int().min(1).max(100000).optional().describe('Run only this many tests, those most likely to fail'),
      ...waitArguments,
    },
    outputSchema: executedShape,
    annotations: { title: 'Execute a run\'s suite', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  }, ({ runId, target, failFast, budget, wait, waitSeconds }, extra) => guarded(async () => {
    const body = Object.fromEntries(Object.entries({ target, failFast, budget }).filter(([, v]) => v !== undefined));
    const started = await api.post<{ runId: string; executionId: string; workflowId: string; existing: boolean }>(runPath(runId, 'execute'), body);
    const execution = wait
      ? await followExecution(api, started.runId, started.executionId, extra, { waitSeconds })
      : await api.get<ApiExecution>(runPath(started.runId, 'executions', started.executionId));
    const finished = execution.status !== 'running';
    const message = finished
      ? `Execution ${execution.id} of run ${started.runId} ${execution.status}${execution.error ? `: ${execution.error}` : ''}. get_findings reads what it found.`
      : `Execution ${execution.id} of run ${started.runId} is still running: call get_findings with runId ${started.runId} and executionId ${execution.id} later.`;
    return answer(z.object(executedShape), {
      runId: started.runId, executionId: started.executionId, workflowId: started.workflowId, existing: started.existing,
      finished, status: execution.status, counts: executionCounts(execution.summary), error: execution.error, message,
    }, message);
  }));

  server.registerTool('get_findings', {
    title: 'Get an execution\'s findings',
    description: 'What an execution of a run\'s suite found: each failing test\'s triage (possible API defect, test defect, not verified) with its reasons and a curl reproducer, flaky tests, and the counts. Default: the run\'s newest execution.',
    inputSchema: { runId: runIdArgument, executionId: z.string().min(1).optional().describe('Default: the newest execution of the run') },
    outputSchema: findingsShape,
    annotations: { title: 'Get findings', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, ({ runId, executionId }) => guarded(async () => {
    const found = await readFindings(api, runId, executionId);
    const defects = found.findings.filter((f) => f.classification === 'possible-api-defect').length;
    return answer(z.object(findingsShape), found, `Execution ${found.executionId} (${found.status}): ${found.findings.length} findings, ${defects} possible API defects, ${found.flaky.length} flaky tests.`);
  }));
}
