import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { listen, type RunningServer } from '../api/server';
import { PROJECT_ROOT, type Config } from '../lib/config';
import { openDatabase } from '../lib/db/open';
import { LocalGitHost } from '../lib/repohost/local-git';
import { requireTemporalCli } from '../lib/temporal/cli';
import { connectClient } from '../lib/temporal/client';
import { ensureDevServer } from '../lib/temporal/dev-server';
import { installQuietRuntime } from '../lib/temporal/runtime';
import { createWorker } from '../workers/worker';

export interface EmbeddedStack {
  apiUrl: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  reusedTemporal: boolean;
  stop(): Promise<void>;
}

/**
 * Everything on one machine with no setup: the Temporal dev server (state in the data directory,
 * reused if one already listens), PGlite or DATABASE_URL, the worker and the HTTP API.
 */
export async function startEmbeddedStack(config: Config, log: (line: string) => void): Promise<EmbeddedStack> {
  installQuietRuntime();
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => log(`shutdown: ${(err as Error).message}`));
  };
  try {
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
    cleanups.push(devServer.stop);
    log(devServer.reused ? `reusing Temporal at ${devServer.address}` : `started Temporal dev server at ${devServer.address} (${cli.source}: ${cli.path})`);

    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    cleanups.push(database.close);

    const connection = await NativeConnection.connect({ address: config.temporal.address });
    cleanups.push(() => connection.close());
    log('bundling workflows and starting the worker');
    const worker = await createWorker({
      config,
      connection,
      deps: { db: database.db, repoHost: new LocalGitHost(config.repos.root, database.db) },
    });
    const running = worker.run();
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    const client = await connectClient(config);
    cleanups.push(() => client.connection.close());
    const api: RunningServer = await listen({ db: database.db, client, config }, config.api.host, config.api.port);
    cleanups.push(api.close);

    return {
      apiUrl: api.url,
      temporalAddress: devServer.address,
      temporalUiUrl: devServer.uiUrl ?? `http://${config.temporal.address.split(':')[0]}:${config.temporal.uiPort}`,
      reusedTemporal: devServer.reused,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

