/**
 * One worker process polling the task queues it is given (`testloom worker --queues io,llm,execute`,
 * `tsx workers/main.ts`): services from the composition root, a Temporal connection from the
 * config (TLS, API key), the namespace's search attributes checked, then the workers until
 * SIGINT/SIGTERM (the SDK's runtime turns them into a graceful shutdown).
 */
import type { Config } from '../lib/config';
import { createServices } from '../lib/services';
import type { Logger } from '../lib/observability/logger';
import { startTracing } from '../lib/observability/tracing';
import { connectNativeTemporal } from '../lib/temporal/connection';
import { installQuietRuntime } from '../lib/temporal/runtime';
import { ensureSearchAttributes } from '../lib/temporal/search-attributes';
import { createWorker, QUEUE_KINDS, type QueueKind } from './worker';

export interface WorkerProcessOptions {
  queues?: readonly QueueKind[];
  /** Apply pending migrations first (under the lock); default: refuse to start while any is pending. */
  migrate?: boolean;
  identity?: string;
  /** Told, in a sentence, once the worker polls (the CLI prints it). */
  announce?: (line: string) => void;
}

export async function runWorkerProcess(config: Config, options: WorkerProcessOptions, log: Logger): Promise<void> {
  const queues = options.queues ?? QUEUE_KINDS;
  installQuietRuntime(); // the SDK's logs through pino; before the first connection
  const tracing = startTracing({ serviceName: `testloom-worker-${queues.join('-')}` });
  try {
    const services = await createServices(config, { migrations: options.migrate ? 'apply' : 'verify' }); // missing weights: stop here, with instructions
    try {
      const connection = await connectNativeTemporal(config.temporal);
      try {
        const registered = await ensureSearchAttributes(connection.operatorService, config.temporal.namespace, config.temporal.searchAttributes);
        if (registered.length) log.info({ registered }, `registered search attributes ${registered.join(', ')} in namespace ${config.temporal.namespace}`);
        const worker = await createWorker({ config, connection, deps: services, queues, identity: options.identity });
        const names = queues.map((kind) => config.temporal.taskQueues[kind]);
        const line = `testloom worker polling ${names.join(', ')} at ${config.temporal.address} (namespace ${config.temporal.namespace})`;
        log.info({ taskQueues: names, address: config.temporal.address, namespace: config.temporal.namespace, tracing: tracing.enabled }, line);
        const running = worker.run();
        options.announce?.(line);
        await running;
      } finally {
        await connection.close();
      }
    } finally {
      await services.close();
    }
  } finally {
    await tracing.shutdown();
  }
}

/** `--queues io,llm`: the task queues named, each once, in a known order; throws naming a bad one. */
export function parseQueues(raw: string): QueueKind[] {
  const items = raw.split(',').map((item) => item.trim()).filter(Boolean);
  const bad = items.filter((item) => !(QUEUE_KINDS as readonly string[]).includes(item));
  if (!items.length || bad.length) throw new Error(`--queues ${raw}: must be a comma-separated list of ${QUEUE_KINDS.join(', ')}${bad.length ? ` (unknown: ${bad.join(', ')})` : ''}`);
  return QUEUE_KINDS.filter((kind) => items.includes(kind));
}
