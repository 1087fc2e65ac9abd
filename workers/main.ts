/** Worker process entry: `tsx workers/main.ts` (or `testloom worker`). */
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../lib/config';
import { openDatabase } from '../lib/db/open';
import { configureLogging } from '../lib/observability/logger';
import { startTracing } from '../lib/observability/tracing';
import { createRepoHost } from '../lib/repohost/from-config';
import { runLinks } from '../lib/runs/links';
import { createModelAccess } from '../lib/llm/from-config';
import { unloadLlamaModels } from '../lib/llm/llama-cpp';
import { createRetriever } from '../lib/retrieval/from-config';
import { installQuietRuntime } from '../lib/temporal/runtime';
import { createWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = configureLogging({ level: config.logLevel, base: { process: 'worker' } });
  installQuietRuntime(); // the SDK's logs through pino; before the first connection
  const tracing = startTracing({ serviceName: 'testloom-worker' });
  try {
    const retrieval = await createRetriever(config.retrieval); // missing weights: stop here, with instructions
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    const connection = await NativeConnection.connect({ address: config.temporal.address });
    const worker = await createWorker({
      config,
      connection,
      deps: { db: database.db, repoHost: createRepoHost(config, database.db), links: runLinks(config), retrieval, models: await createModelAccess(config.llm, database.db), limits: config.generation.limits },
      identity: process.env.TESTLOOM_WORKER_IDENTITY,
    });
    log.info({ taskQueue: config.temporal.taskQueues.io, address: config.temporal.address, tracing: tracing.enabled }, `testloom worker polling ${config.temporal.taskQueues.io} and ${config.temporal.taskQueues.llm} at ${config.temporal.address}`);
    try {
      await worker.run(); // Returns after SIGINT/SIGTERM, which the SDK turns into a graceful shutdown.
    } finally {
      await connection.close();
      await database.close();
      await unloadLlamaModels(); // frees an in-process model's memory, if one was loaded
    }
  } finally {
    await tracing.shutdown();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
