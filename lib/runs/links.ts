import type { Config } from '../config';
import { webUiLink } from '../temporal/client';

/** Where a person follows a run: the HTTP API's run record and the Temporal Web UI. */
export interface RunLinks {
  api(runId: string): string;
  temporalUi(workflowId: string, runId: string): string;
}

export function runLinks(config: Pick<Config, 'api' | 'temporal'>): RunLinks {
  const apiBase = config.api.url.replace(/\/+$/, '');
  return {
    api: (runId) => `${apiBase}/api/v1/runs/${encodeURIComponent(runId)}`,
    temporalUi: (workflowId, runId) => webUiLink(config as Config, workflowId, runId),
  };
}
