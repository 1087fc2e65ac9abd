import type { Command } from 'commander';
import type * as ApiProcessModule from '../api/process';
import type * as WorkerProcessModule from '../workers/process';
import { loadConfig } from '../lib/config';
import { configureLogging } from '../lib/observability/logger';
import { Cleanups, exitOnSignals } from '../lib/process/shutdown';
import type * as MigrateCommandModule from './migrate-command';

/* eslint-disable @typescript-eslint/no-require-imports -- the API and the worker (the SDK, the
   workflow bundle) take seconds to load: only the command that runs one loads it. */
const apiProcess = () => require('../api/process') as typeof ApiProcessModule;
const workerProcess = () => require('../workers/process') as typeof WorkerProcessModule;
const migrateCommand = () => require('./migrate-command') as typeof MigrateCommandModule;
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The commands a deployment runs, one process each: `migrate` (once per release), `api` and
 * `worker --queues …` (as many of each as the load needs). `up` runs all of them in one process.
 */
export function addProcessCommands(program: Command, print: (line: string) => void): void {
  program
    .command('migrate')
    .description('Apply pending database migrations and exit (safe to run from several processes at once)')
    .action(async () => {
      await migrateCommand().migrateCommand(loadConfig(), print);
    });

  program
    .command('api')
    .description('Serve the HTTP API alone, against TEMPORAL_ADDRESS and DATABASE_URL (no dev server, no worker); Ctrl-C stops it')
    .option('--migrate', 'apply pending database migrations first (default: refuse to start until `testloom migrate` has run)')
    .action(async (options: { migrate?: boolean }) => {
      const config = loadConfig();
      configureLogging({ level: config.logLevel, base: { process: 'api' } });
      const cleanups = new Cleanups();
      const signals = exitOnSignals(cleanups, print);
      const url = await signals.unlessStopping(apiProcess().startApiProcess(config, options, cleanups, print));
      print(`testloom API listening on ${url} (Temporal ${config.temporal.address}, namespace ${config.temporal.namespace})`);
    });

  program
    .command('worker')
    .description('Run a worker polling the given task queues (io: workflows and I/O stages, llm: model calls, execute: suites against APIs); Ctrl-C stops it')
    .option('--queues <list>', 'comma-separated task queues: io, llm, execute', 'io,llm,execute')
    .option('--identity <name>', 'worker identity shown in Temporal (default: pid@host)')
    .option('--migrate', 'apply pending database migrations first (default: refuse to start until `testloom migrate` has run)')
    .action(async (options: { queues: string; identity?: string; migrate?: boolean }) => {
      const { parseQueues, runWorkerProcess } = workerProcess();
      const queues = parseQueues(options.queues);
      const config = loadConfig();
      const log = configureLogging({ level: config.logLevel, base: { process: 'worker', queues } });
      const identity = options.identity ?? process.env.TESTLOOM_WORKER_IDENTITY;
      await runWorkerProcess(config, { queues, migrate: options.migrate, identity, announce: print }, log);
    });
}
