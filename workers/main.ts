/** Worker process entry: `tsx workers/main.ts` (or `testloom worker`), polling every task queue. */
import { loadConfig } from '../lib/config';
import { configureLogging } from '../lib/observability/logger';
import { runWorkerProcess } from './process';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = configureLogging({ level: config.logLevel, base: { process: 'worker' } });
  await runWorkerProcess(config, { migrate: true, identity: process.env.TESTLOOM_WORKER_IDENTITY }, log);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
