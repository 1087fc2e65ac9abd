import { Client, type Connection } from '@temporalio/client';
import type { Config } from '../config';
import { clientInterceptors } from '../observability/temporal-tracing';
import { connectTemporal } from './connection';

/** A client whose workflow starts and signals carry the caller's trace context (OpenTelemetry; a no-op when tracing is off). */
export function createClient(connection: Connection, namespace: string): Client {
  return new Client({ connection, namespace, interceptors: clientInterceptors() });
}

export async function connectClient(config: Config): Promise<Client> {
  const connection = await connectTemporal(config.temporal);
  return createClient(connection, config.temporal.namespace);
}

/** Link to a workflow in the Temporal Web UI: TESTLOOM_TEMPORAL_UI_URL, else the embedded dev server's. */
export function webUiLink(config: Config, workflowId: string, runId?: string): string {
  const host = config.temporal.address.split(':')[0];
  const base = config.temporal.uiUrl ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${config.temporal.uiPort}`;
  return `${base}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}${runId ? `/${runId}` : ''}`;
}
