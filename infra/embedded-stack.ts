import path from 'node:path';
import { listen, type RunningServer } from '../api/server';
import { PROJECT_ROOT, type Config } from '../lib/config';
import { ensureChromaServer } from '../lib/retrieval/chroma-server';
import { createRetriever } from '../lib/retrieval/from-config';
import { createServices } from '../lib/services';
import { requireTemporalCli } from '../lib/temporal/cli';
import { connectClient } from '../lib/temporal/client';
import { connectNativeTemporal } from '../lib/temporal/connection';
import { ensureDevServer } from '../lib/temporal/dev-server';
import { startTracing } from '../lib/observability/tracing';
import { Cleanups } from '../lib/process/shutdown';
import { installQuietRuntime } from '../lib/temporal/runtime';
import { createWorker } from '../workers/worker';

export interface EmbeddedStack {
  apiUrl: string;
  chromaUrl?: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  reusedTemporal: boolean;
  stop(): Promise<void>;
}

/**
 * The local Chroma server (unless CHROMA_URL names one) and the embedding model. Missing weights
 * stop the start-up with instructions; an unreachable external Chroma only degrades runs.
 */
async function startRetrieval(config: Config, log: (line: string) => void, cleanups: Cleanups) {
  const { retrieval: settings } = config;
  if (!settings.enabled) {
    log('retrieval is switched off (TESTLOOM_RETRIEVAL=off)');
    return undefined;
  }
  log(`checking embedding model ${settings.embedding.modelId} (loaded on first use)`);
  const retriever = await createRetriever(settings);
  if (settings.chroma.embedded) {
    const chroma = await ensureChromaServer({
      url: settings.chroma.url,
      dataDir: settings.chroma.dataDir,
      logFile: path.join(config.dataDir, 'logs', 'chroma.log'),
    });
    cleanups.add('Chroma', () => chroma.stop(), 4_000);
    log(chroma.reused ? `reusing Chroma at ${chroma.url}` : `started Chroma at ${chroma.url} (data in ${settings.chroma.dataDir})`);
  } else {
    await retriever!.store.heartbeat().then(
      () => log(`using Chroma at ${settings.chroma.url}`),
      (err) => log(`Chroma at ${settings.chroma.url} does not answer (${(err as Error).message}); runs will be marked degraded until it does`),
    );
  }
  return retriever;
}

/**
 * Everything on one machine with no setup: the Temporal dev server (state in the data directory,
 * reused if one already listens), PGlite or DATABASE_URL, Chroma and the embedding model, the
 * worker and the HTTP API. Each part, once started, is added to `cleanups`, so a caller that is
 * interrupted during start-up can stop what is already running (see lib/process/shutdown.ts).
 */
export async function startEmbeddedStack(config: Config, log: (line: string) => void, cleanups = new Cleanups()): Promise<EmbeddedStack> {
  installQuietRuntime([]); // signals are the caller's: the SDK's own handler would only stop the worker
  const stop = () => cleanups.run(log);
  try {
    // OpenTelemetry when OTEL_* asks for it; shut down (flushed) last.
    const tracing = startTracing({ serviceName: 'testloom' });
    cleanups.add('tracing', () => tracing.shutdown(), 2_000);
    if (tracing.enabled) log('tracing: exporting spans as OTEL_* configures');
    // First, so missing embedding weights stop the start-up before any server is started.
    const retrieval = await startRetrieval(config, log, cleanups);
    const cli = requireTemporalCli({ cliPath: config.temporal.cliPath, projectRoot: PROJECT_ROOT });
    const devServer = await ensureDevServer({
      cliPath: cli.path,
      address: config.temporal.address,
      namespace: config.temporal.namespace,
      uiPort: config.temporal.uiPort,
      dbFile: path.join(config.dataDir, 'temporal', 'dev-server.sqlite'),
      logFile: path.join(config.dataDir, 'logs', 'temporal.log'),
      searchAttributes: config.temporal.searchAttributes,
    });
    cleanups.add('Temporal dev server', () => devServer.stop(), 4_000);
    log(devServer.reused ? `reusing Temporal at ${devServer.address}` : `started Temporal dev server at ${devServer.address} (${cli.source}: ${cli.path})`);

    const services = await createServices(config, { retrieval });
    cleanups.add('database', () => services.close());

    const connection = await connectNativeTemporal(config.temporal);
    cleanups.add('worker connection', () => connection.close(), 1_000);
    log('preparing the workflow bundle and starting the worker');
    const worker = await createWorker({
      config,
      connection,
      deps: services,
    });
    const running = worker.run();
    // Bounded by the worker's shutdownForceTime (workers/worker.ts), even with a stage stuck.
    cleanups.add('worker', async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    }, 5_000);

    const client = await connectClient(config);
    cleanups.add('client connection', () => client.connection.close(), 1_000);
    const deps = { db: services.db, client, config, repoHost: services.repoHost, retrieval: services.retrieval };
    const api: RunningServer = await listen(deps, config.api.host, config.api.port);
    cleanups.add('HTTP API', () => api.close(), 2_000);
    for (const notice of api.notices) log(notice);

    return {
      apiUrl: api.url,
      temporalAddress: devServer.address,
      chromaUrl: retrieval?.store.url,
      temporalUiUrl: devServer.uiUrl ?? `http://${config.temporal.address.split(':')[0]}:${config.temporal.uiPort}`,
      reusedTemporal: devServer.reused,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

