/** Tools over runs: generate tests (and follow the run), get, list and cancel runs. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';
import { FRAMEWORKS } from '../../lib/core/frameworks';
import { RUN_STATUSES, TRIGGERS } from '../../lib/core/run';
import { runPath, type TestloomApi } from '../../lib/net/testloom-api';
import { followRun } from '../follow';
import { runIdArgument, runSchema, runSummaryShape, targetArgument, waitArguments } from '../schemas';
import { condenseRun, condenseSummary, type ApiRun, type ApiRunSummary } from '../views';
import { answer, ArgumentError, guarded } from './result';

const specArgument = z.object({
  content: z.string().min(1).optional().describe('The YAML or JSON text of an OpenAPI 3.x or Swagger 2.0 document'),
  url: z.url({ protocol: /^https?$/, error: 'must be an absolute http or https URL' }).optional().describe('Where to fetch it (a public address, or a host the server allows)'),
  path: z.string().min(1).optional().describe('A file under the server\'s TESTLOOM_SPEC_ROOTS'),
}).strict().refine((spec) => Object.keys(spec).length === 1, { message: 'must have exactly one of content, url or path' });

const generateInput = {
  spec: specArgument.optional().describe('The API description to generate tests from (not with issue)'),
  issue: z.string().regex(/^[^/\s#]+\/[^/\s#]+#[1-9][0-9]*$/, 'must be an issue reference owner/repo#number').optional()
    .describe('An issue to turn into tests, as owner/repo#number (not with spec)'),
  repository: z.string().optional().describe('Where the tests are committed, owner/name; default the server\'s TESTLOOM_DEFAULT_REPOSITORY'),
  name: z.string().optional().describe('The spec\'s name in the repository (e.g. api/openapi.yaml): each revision under one name updates one branch and pull request'),
  framework: z.enum(FRAMEWORKS).optional().describe('Test framework of the suite; default the server\'s'),
  target: targetArgument.optional().describe('Run the generated suite against this API before committing'),
  rerun: z.boolean().optional().describe('Start a new run although one has ended for this spec and repository'),
  ...waitArguments,
};

const listShape = { runs: z.array(z.object(runSummaryShape)), nextCursor: z.string().nullable() };
const cancellingShape = { id: z.string(), workflowId: z.string(), status: z.literal('cancelling') };
const startedShape = { runId: z.string(), workflowId: z.string(), existing: z.boolean(), finished: z.boolean(), message: z.string(), run: runSchema };

function startBody(args: z.infer<z.ZodObject<typeof generateInput>>): Record<string, unknown> {
  if (!args.spec === !args.issue) throw new ArgumentError(args.spec ? 'issue' : 'spec', 'give exactly one of spec and issue');
  if (args.issue) {
    for (const field of ['name', 'framework', 'target', 'rerun'] as const) {
      if (args[field] !== undefined) throw new ArgumentError(field, 'is for spec runs (an issue run takes its repository\'s settings)');
    }
    return { issue: args.issue, ...(args.repository ? { repository: args.repository } : {}) };
  }
  const { spec, repository, name, framework, target, rerun } = args;
  return Object.fromEntries(Object.entries({ spec, repository, name, framework, target, rerun }).filter(([, v]) => v !== undefined));
}

function whereItIs(run: ApiRun, finished: boolean): string {
  if (finished) return `Run ${run.id} ${run.status}${run.error ? ` at ${run.error.stage}: ${run.error.message}` : ''}.`;
  return `Run ${run.id} is still ${run.status}${run.stage ? ` (stage ${run.stage})` : ''}: call get_run with runId ${run.id}, or read ${condenseSummary(run).uri}, to follow it.`;
}

export function registerRunTools(server: McpServer, api: TestloomApi): void {
  server.registerTool('generate_tests', {
    title: 'Generate tests',
    description: [
      'Start a testloom run that turns an OpenAPI/Swagger spec (content, URL or a path under the server\'s allowed roots) or an issue',
      '(owner/repo#n) into a reviewed, executable test suite and a test-case document, committed to a branch with a pull request.',
      'With a target, the suite is first run against that API. The same spec for the same repository finds the existing run.',
      'With wait (default), follows the run with progress notifications and answers when it ends or after waitSeconds with the run id.',
    ].join(' '),
    inputSchema: generateInput,
    outputSchema: startedShape,
    annotations: { title: 'Generate tests', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  }, (args, extra) => guarded(async () => {
    const started = await api.post<{ runId: string; workflowId: string; existing: boolean }>('/api/v1/runs', startBody(args));
    const run = args.wait
      ? await followRun(api, started.runId, extra, { waitSeconds: args.waitSeconds })
      : await api.get<ApiRun>(runPath(started.runId));
    const finished = run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled';
    const message = `${started.existing ? 'Found existing' : 'Started'} run ${started.runId}. ${whereItIs(run, finished)}`;
    const { runId, workflowId, existing } = started;
    return answer(z.object(startedShape), { runId, workflowId, existing, finished, message, run: condenseRun(run) }, message);
  }));

  server.registerTool('get_run', {
    title: 'Get a run',
    description: 'A run: its status and stage, each stage attempt, the files it generated (with resource URIs to read them), what executing the suite found, its branch and pull request.',
    inputSchema: { runId: runIdArgument },
    outputSchema: runSchema.shape,
    annotations: { title: 'Get a run', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, ({ runId }) => guarded(async () => {
    const run = condenseRun(await api.get<ApiRun>(runPath(runId)));
    return answer(runSchema, run, `Run ${run.id}: ${run.status}${run.stage ? ` (stage ${run.stage})` : ''}, ${run.files.length} files.`);
  }));

  server.registerTool('list_runs', {
    title: 'List runs',
    description: 'Runs, newest first, optionally only of one status, trigger or repository; page with cursor (nextCursor of the previous page).',
    inputSchema: {
      status: z.enum(RUN_STATUSES).optional(),
      trigger: z.enum(TRIGGERS).optional(),
      repository: z.string().optional().describe('owner/name'),
      limit: z.number().int().min(1).max(100).optional().describe('Page size, 1-100 (default 20)'),
      cursor: z.string().optional(),
    },
    outputSchema: listShape,
    annotations: { title: 'List runs', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, (args) => guarded(async () => {
    const query = new URLSearchParams(Object.entries(args).filter(([, v]) => v !== undefined).map(([k, v]): [string, string] => [k, String(v)]));
    const page = await api.get<{ runs: ApiRunSummary[]; nextCursor: string | null }>(`/api/v1/runs?${query.toString()}`);
    const runs = page.runs.map(condenseSummary);
    return answer(z.object(listShape), { runs, nextCursor: page.nextCursor }, runs.length ? `${runs.length} runs.` : 'No runs.');
  }));

  server.registerTool('cancel_run', {
    title: 'Cancel a run',
    description: 'Stop a running run (its workflow\'s cancel signal): it ends as cancelled at the stage it is in; nothing more is committed.',
    inputSchema: { runId: runIdArgument, reason: z.string().max(2000).optional().describe('Recorded as the cancel reason') },
    outputSchema: cancellingShape,
    annotations: { title: 'Cancel a run', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  }, ({ runId, reason }) => guarded(async () => {
    const cancelling = await api.post<{ id: string; workflowId: string; status: 'cancelling' }>(runPath(runId, 'cancel'), reason ? { reason } : {});
    return answer(z.object(cancellingShape), cancelling, `Run ${cancelling.id} is being cancelled.`);
  }));
}
