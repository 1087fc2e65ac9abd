import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';

export async function connectClient(config: Config): Promise<Client> {
  const connection = await Connection.connect({ address: config.temporal.address });
  return new Client({ connection, namespace: config.temporal.namespace });
}

/** Link to a workflow in the Temporal Web UI of the embedded dev server. */
export function webUiLink(config: Config, workflowId: string, runId?: string): string {
  const host = config.temporal.address.split(':')[0];
  const base = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${config.temporal.uiPort}`;
  return `${base}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}${runId ? `/${runId}` : ''}`;
}
