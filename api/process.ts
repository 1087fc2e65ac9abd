/**
 * The HTTP API as a process of its own (`testloom api`): services from the composition root, a
 * Temporal client from the config (TLS, API key), the namespace's search attributes checked, then
 * the server. No dev server, no worker; migrations only when asked (`--migrate`), otherwise the
 * schema must be current (`testloom migrate`). Scale it by running more of them behind a load balancer.
 */
import type { Config } from '../lib/config';
import { createServices } from '../lib/services';
import type { Cleanups } from '../lib/process/shutdown';
import { createClient } from '../lib/temporal/client';
import { connectTemporal } from '../lib/temporal/connection';
import { ensureSearchAttributes } from '../lib/temporal/search-attributes';
import { listen } from './server';

export interface ApiProcessOptions {
  /** Apply pending migrations first (under the lock); default: refuse to start while any is pending. */
  migrate?: boolean;
}

/** Starts the API; each part, once started, is added to `cleanups` (run on SIGINT/SIGTERM). Resolves with its URL. */
export async function startApiProcess(config: Config, options: ApiProcessOptions, cleanups: Cleanups, log: (line: string) => void): Promise<string> {
  const services = await createServices(config, { migrations: options.migrate ? 'apply' : 'verify' });
  cleanups.add('database', () => services.close());
  const connection = await connectTemporal(config.temporal);
  cleanups.add('Temporal connection', () => connection.close(), 1_000);
  const registered = await ensureSearchAttributes(connection.operatorService, config.temporal.namespace, config.temporal.searchAttributes);
  if (registered.length) log(`registered search attributes ${registered.join(', ')} in namespace ${config.temporal.namespace}`);
  const client = createClient(connection, config.temporal.namespace);
  const deps = { db: services.db, client, config, repoHost: services.repoHost, retrieval: services.retrieval };
  const api = await listen(deps, config.api.host, config.api.port);
  cleanups.add('HTTP API', () => api.close(), 2_000);
  for (const notice of api.notices) log(notice);
  return api.url;
}
