import path from 'node:path';
import { Command, Option } from 'commander';
import type * as EmbeddedStackModule from '../infra/embedded-stack';
import { ConfigError, loadConfig, type Config } from '../lib/config';
import { FRAMEWORKS, type FrameworkName } from '../lib/core/frameworks';
import { configureLogging } from '../lib/observability/logger';
import { Cleanups, exitOnSignals } from '../lib/process/shutdown';
import type { RetrievalOutcome } from '../lib/core/contract';
import { RUN_STATUSES, TRIGGERS } from '../lib/core/run';
import type { RunView } from '../lib/runs/view';
import { ApiClient } from './http';
import type * as IndexCommandModule from './index-command';
import { followRun } from './progress';
import type * as PlanCommandModule from './plan-command';
import type * as RunRequestModule from './run-request';
import { addTargetOptions, followExecution, printExecution, targetFromOptions, type ExecutionView, type TargetOptions } from './execution';
import { addScheduleCommand } from './schedule-command';
import { addMcpCommand } from './mcp-command';
import { addProcessCommands } from './process-commands';

const print = (line = '') => process.stdout.write(`${line}\n`);

/**
 * The embedded stack (API, worker, Temporal, retrieval) is loaded only by the commands that start
 * it: loading it takes seconds, which every other command (`index`, `status`, a `run` against a
 * running API, `--help`) would otherwise spend first.
 */
const startEmbeddedStack: typeof EmbeddedStackModule.startEmbeddedStack = async (...args) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  const { startEmbeddedStack: start } = require('../infra/embedded-stack') as typeof EmbeddedStackModule;
  return await start(...args);
};

/* eslint-disable @typescript-eslint/no-require-imports -- for the same reason, what only one command
   needs (the OpenAPI intake and generation for run and plan, Chroma and the embedding model for
   index: ~0.5 s and ~30 MB together) is loaded by that command. */
const runRequest = () => require('./run-request') as typeof RunRequestModule;
const planCommand = () => require('./plan-command') as typeof PlanCommandModule;
const indexCommand = () => require('./index-command') as typeof IndexCommandModule;
/* eslint-enable @typescript-eslint/no-require-imports */

async function withApi<T>(config: Config, work: (api: ApiClient, stack?: EmbeddedStackModule.EmbeddedStack) => Promise<T>): Promise<T> {
  const running = ApiClient.fromConfig(config);
  if (await running.isUp()) return work(running);
  print(`No testloom API at ${config.api.url}; starting the embedded stack for this command.`);
  // The stack's JSON logs go to a file, not between this command's lines.
  const logFile = path.join(config.dataDir, 'logs', 'testloom.log');
  configureLogging({ level: config.logLevel, destination: logFile });
  print(`  logs: ${logFile}`);
  const cleanups = new Cleanups();
  const signals = exitOnSignals(cleanups, (line) => print(`  ${line}`));
  return signals.unlessStopping((async () => {
    const stack = await startEmbeddedStack(config, (line) => print(`  ${line}`), cleanups);
    try {
      return await work(ApiClient.fromConfig(config, stack.apiUrl), stack);
    } finally {
      await stack.stop();
    }
  })());
}

function describeRetrieval(retrieval: RetrievalOutcome | undefined): string {
  if (!retrieval) return 'not run';
  if (retrieval.status === 'ok') return `ok, ${retrieval.documents.length} similar test cases used`;
  return retrieval.reason ? `${retrieval.status}: ${retrieval.reason}` : retrieval.status;
}

function printRunSummary(run: RunView): void {
  print();
  if (run.status !== 'completed') {
    print(`Run ${run.id} ${run.status}${run.error ? ` at stage ${run.error.stage}: ${run.error.message}` : ''}`);
  } else {
    const result = run.result!;
    print(`Run ${run.id} completed`);
    print(`  repository  ${run.repository}`);
    print(`  branch      ${result.commit?.branch} @ ${result.commit?.commitSha.slice(0, 12)}${result.commit?.created ? '' : ' (already up to date)'}`);
    print(`  review      ${result.review?.url}`);
    print(`  test cases  ${result.generation?.caseCount} (${Object.entries(result.generation?.casesByKind ?? {}).map(([k, n]) => `${k} ${n}`).join(', ')})`);
    print(`  retrieval   ${describeRetrieval(result.retrieval)}`);
    for (const doc of result.retrieval?.documents ?? []) print(`    ${doc.score.toFixed(2)}  ${doc.title} (${doc.path})`);
    const model = result.generation?.model;
    if (model) {
      const used = Object.values(model.models).join(', ');
      print(`  model       ${model.status === 'ok' ? `${used || 'ok'}: ${model.calls} calls, ${model.cacheHits} from cache, ${model.tokensIn}/${model.tokensOut} tokens in/out` : `${model.status}${model.reason ? `: ${model.reason}` : ''}`}`);
    }
    for (const dropped of result.generation?.dropped ?? []) print(`  dropped     ${dropped.path} (${dropped.gate}): ${dropped.reason}`);
    if (result.execution) printExecution(result.execution, print);
    if (result.indexing) print(`  indexed     ${result.indexing.indexed} test cases${result.indexing.status === 'ok' ? '' : ` (${result.indexing.reason ?? result.indexing.status})`}`);
    print('  files');
    for (const artifact of run.artifacts) print(`    ${artifact.path}`);
  }
  print(`  Web UI      ${run.links.temporalUi}`);
}

const program = new Command()
  .name('testloom')
  .description('Turn API specs into reviewed, executable tests through durable Temporal workflows.');

program
  .command('up')
  .description('Start the Temporal dev server, the worker and the HTTP API; Ctrl-C stops them')
  .action(async () => {
    const config = loadConfig();
    configureLogging({ level: config.logLevel }); // JSON lines on stdout
    // From the first moment: a Ctrl-C during start-up stops whatever has started by then.
    const cleanups = new Cleanups();
    const signals = exitOnSignals(cleanups, print);
    const stack = await signals.unlessStopping(startEmbeddedStack(config, print, cleanups));
    print();
    print(`testloom is up`);
    print(`  HTTP API          ${stack.apiUrl}`);
    print(`  Temporal          ${stack.temporalAddress}${stack.reusedTemporal ? ' (reused)' : ''}`);
    print(`  Temporal Web UI   ${stack.temporalUiUrl}`);
    if (stack.chromaUrl) print(`  Chroma            ${stack.chromaUrl}`);
    print(`  data directory    ${config.dataDir}`);
    print('Press Ctrl-C to stop.'); // exitOnSignals stops the stack and the process
  });

type RunCommandOptions = TargetOptions & {
  spec?: string; issue?: string; repository?: string; name?: string; framework?: string; rerun?: boolean; wait: boolean;
};

addTargetOptions(program
  .command('run')
  .description('Generate tests from an OpenAPI / Swagger spec (or an issue) and wait for the result'))
  .option('--spec <path-or-url>', 'spec file path or http(s) URL')
  .option('--issue <owner/repo#number>', 'an issue the repository host knows, instead of a spec')
  .option('--repository <owner/name>', 'target repository of a spec run (default: TESTLOOM_DEFAULT_REPOSITORY)')
  .option('--name <name>', "the spec's name in the repository (e.g. api/openapi.yaml): each revision under one name updates one branch and pull request "
    + "(default: the spec's title)")
  .addOption(new Option('--framework <framework>', 'test framework of a spec run (default: TESTLOOM_TEST_FRAMEWORK)').choices([...FRAMEWORKS]))
  .option('--rerun', 'start a new run although one has ended for this spec and repository (e.g. with other options)')
  .option('--no-wait', 'return as soon as the run is started')
  .action(async (options: RunCommandOptions) => {
    if (!options.spec === !options.issue) throw new Error('give exactly one of --spec <path-or-url> and --issue <owner/repo#number>');
    const target = targetFromOptions(options);
    if (target && options.issue) throw new Error('--base-url is for spec runs; an issue run uses its repository\'s target from TESTLOOM_TARGETS_FILE');
    const config = loadConfig();
    const request = await runRequest().buildRunRequest(options, target, config);
    if (options.rerun && !options.issue) request.rerun = true;
    const run = await withApi(config, async (api) => {
      const { body: started } = await api.request<{ runId: string; workflowId: string; existing: boolean }>('POST', '/api/v1/runs', request);
      print(`${started.existing ? 'Found existing' : 'Started'} run ${started.runId} (workflow ${started.workflowId})`);
      if (!options.wait) return undefined;
      return followRun(api, started.runId, print);
    });
    if (!run) return;
    printRunSummary(run);
    process.exitCode = run.status === 'completed' ? 0 : 1;
  });

addTargetOptions(program
  .command('execute <run>')
  .description("Run a finished run's generated suite against an API again (default: the repository's configured target) and show what it found"))
  .option('--json', 'print the execution with its full report as JSON')
  .option('--fail-fast', 'stop each run at the first failing test (tests run most-likely-to-fail first)')
  .option('--budget <n>', 'run only the n tests most likely to fail; the others are reported skipped', (value: string) => Number(value))
  .action(async (id: string, options: TargetOptions & { json?: boolean; failFast?: boolean; budget?: number }) => {
    const config = loadConfig();
    const target = targetFromOptions(options);
    // The API validates the budget (a whole number, at least 1) and says so.
    const body = {
      ...(target ? { target } : {}), ...(options.failFast ? { failFast: true } : {}), ...(options.budget !== undefined ? { budget: options.budget } : {}),
    };
    const execution = await withApi(config, async (api) => {
      const { body: started } = await api.request<{ executionId: string; runId: string; existing: boolean }>('POST', `/api/v1/runs/${encodeURIComponent(id)}/execute`, body);
      if (!options.json) print(`${started.existing ? 'Found running' : 'Started'} execution ${started.executionId} of run ${started.runId}`);
      const ended = await followExecution(api, started.runId, started.executionId, options.json ? () => undefined : print);
      return options.json ? (await api.request<ExecutionView>('GET', `/api/v1/runs/${encodeURIComponent(started.runId)}/executions/${encodeURIComponent(ended.id)}`)).body : ended;
    });
    if (options.json) print(JSON.stringify(execution, null, 2));
    else if (execution.summary) printExecution(execution.summary, print);
    else print(`execution ${execution.status}${execution.error ? `: ${execution.error}` : ''}`);
    process.exitCode = execution.status === 'completed' || execution.status === 'skipped' ? 0 : 1;
  });

addTargetOptions(program
  .command('plan')
  .description('Show what a run of this spec would generate and which API_AUTH_* variables its suite reads; nothing is started'))
  .requiredOption('--spec <path-or-url>', 'spec file path or http(s) URL')
  .option('--repository <owner/name>', 'target repository (default: TESTLOOM_DEFAULT_REPOSITORY)')
  .addOption(new Option('--framework <framework>', 'test framework (default: TESTLOOM_TEST_FRAMEWORK)').choices([...FRAMEWORKS]))
  .option('--json', 'print the plan as JSON')
  .action(async (options: { spec: string; repository?: string; framework?: FrameworkName; json?: boolean } & TargetOptions) => {
    const config = loadConfig();
    const { planSpec, printPlan } = planCommand();
    const plan = await planSpec(options, targetFromOptions(options), config);
    if (options.json) print(JSON.stringify(plan, null, 2));
    else printPlan(plan, print);
  });

addScheduleCommand(program, print);
addMcpCommand(program, startEmbeddedStack);
addProcessCommands(program, print);

program
  .command('retry <run>')
  .description('Start a failed or cancelled run again with the input it was started with (same branch and pull request) and wait for it')
  .option('--no-wait', 'return as soon as the retry is started')
  .action(async (id: string, options: { wait: boolean }) => {
    const config = loadConfig();
    const run = await withApi(config, async (api) => {
      const { body: started } = await api.request<{ runId: string; workflowId: string; existing: boolean }>('POST', `/api/v1/runs/${encodeURIComponent(id)}/retry`);
      print(`${started.existing ? 'Already started again as' : 'Retrying as'} run ${started.runId} (workflow ${started.workflowId})`);
      return options.wait ? followRun(api, started.runId, print) : undefined;
    });
    if (!run) return;
    printRunSummary(run);
    process.exitCode = run.status === 'completed' ? 0 : 1;
  });

program
  .command('failures')
  .description('Failed runs grouped by the stage they failed in and why, the largest group first')
  .option('--repository <owner/name>')
  .action(async (options: { repository?: string }) => {
    const config = loadConfig();
    const query = options.repository ? `?repository=${encodeURIComponent(options.repository)}` : '';
    const { body } = await ApiClient.fromConfig(config).request<{ groups: { stage: string | null; reason: string; count: number; runIds: string[] }[] }>('GET', `/api/v1/failures${query}`);
    if (!body.groups.length) print('no failed runs');
    for (const group of body.groups) {
      print(`${String(group.count).padStart(4)}  ${group.stage ?? '-'}: ${group.reason}`);
      print(`      e.g. ${group.runIds.slice(0, 3).join(', ')} — \`testloom retry <run>\` starts one again`);
    }
  });

program
  .command('status <run>')
  .description('Show a run (run id or workflow id)')
  .option('--json', 'print the full JSON record')
  .action(async (id: string, options: { json?: boolean }) => {
    const config = loadConfig();
    const { body: run } = await ApiClient.fromConfig(config).request<RunView>('GET', `/api/v1/runs/${encodeURIComponent(id)}`);
    if (options.json) {
      print(JSON.stringify(run, null, 2));
      return;
    }
    print(`${run.id}  ${run.status}${run.stage ? ` (stage ${run.stage})` : ''}  ${run.workflowId}`);
    for (const event of run.stages) print(`  ${event.stage.padEnd(9)} attempt ${event.attempt}  ${event.outcome}${event.error ? ` — ${event.error}` : ''}`);
    printRunSummary(run);
  });

program
  .command('list')
  .description('List runs, newest first')
  .addOption(new Option('--status <status>').choices(RUN_STATUSES))
  .addOption(new Option('--trigger <trigger>').choices(TRIGGERS))
  .option('--repository <owner/name>')
  .option('--limit <n>', 'page size (1-100)', '20')
  .action(async (options: Record<string, string | undefined>) => {
    const config = loadConfig();
    const query = new URLSearchParams(Object.entries(options).filter(([, v]) => v !== undefined) as [string, string][]);
    const { body } = await ApiClient.fromConfig(config).request<{ runs: RunView[] }>('GET', `/api/v1/runs?${query.toString()}`);
    if (!body.runs.length) {
      print('no runs');
      return;
    }
    for (const run of body.runs) {
      print(`${run.id}  ${String(run.status).padEnd(9)} ${String(run.stage ?? '').padEnd(9)} ${run.repository}  ${new Date(run.createdAt).toISOString()}`);
    }
  });

program
  .command('index')
  .description("Index a checkout's existing tests into the vector store, so runs for the repository retrieve them")
  .requiredOption('--repo <owner/name>', 'repository the tests belong to')
  .requiredOption('--path <dir>', 'root of the checkout to read')
  .action(async (options: { repo: string; path: string }) => {
    await indexCommand().indexCheckout(options, print);
  });

program.parseAsync().catch((err) => {
  console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : `error: ${(err as Error).message}`);
  process.exit(1);
});
