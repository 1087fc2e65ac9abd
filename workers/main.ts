/** Worker process entry: `tsx workers/main.ts` (or `testloom worker`). */
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../lib/config';
import { createServices } from '../lib/services';
import { configureLogging } from '../lib/observability/logger';
import { startTracing } from '../lib/observability/tracing';
import { installQuietRuntime } from '../lib/temporal/runtime';
import { createWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = configureLogging({ level: config.logLevel, base: { process: 'worker' } });
  installQuietRuntime(); // the SDK's logs through pino; before the first connection
  const tracing = startTracing({ serviceName: 'testloom-worker' });
  try {
    const services = await createServices(config); // missing weights: stop here, with instructions
    const connection = await NativeConnection.connect({ address: config.temporal.address });
    const worker = await createWorker({
      config,
      connection,
      deps: services,
      identity: process.env.TESTLOOM_WORKER_IDENTITY,
    });
    log.info({ taskQueue: config.temporal.taskQueues.io, address: config.temporal.address, tracing: tracing.enabled }, `testloom worker polling ${config.temporal.taskQueues.io} and ${config.temporal.taskQueues.llm} at ${config.temporal.address}`);
    try {
      await worker.run(); // Returns after SIGINT/SIGTERM, which the SDK turns into a graceful shutdown.
    } finally {
      await connection.close();
      await services.close();
    }
  } finally {
    await tracing.shutdown();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
