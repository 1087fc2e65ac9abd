import { hasEnded } from '../lib/core/run';
import type { RunView } from '../lib/runs/view';
import type { ApiClient } from './http';

const POLL_MS = 500;
const symbols: Record<string, string> = { succeeded: '✓', failed: '✗', abandoned: '↻', cancelled: '■', running: '…' };

function seconds(start: string | Date, end: string | Date | null): string {
  if (!end) return '';
  return `${((new Date(end).getTime() - new Date(start).getTime()) / 1000).toFixed(2)}s`;
}

/** Polls the run and prints each stage attempt as it starts and ends, until the run is over. */
export async function followRun(api: ApiClient, runId: string, print: (line: string) => void): Promise<RunView> {
  const printed = new Set<string>();
  for (;;) {
    const { body: run } = await api.request<RunView>('GET', `/api/v1/runs/${runId}`);
    for (const event of run.stages) {
      const key = `${event.stage}#${event.attempt}:${event.outcome}`;
      if (printed.has(key)) continue;
      printed.add(key);
      const attempt = event.attempt > 1 ? ` (attempt ${event.attempt})` : '';
      const error = event.error ? ` — ${event.error}` : '';
      print(`  ${symbols[event.outcome] ?? '?'} ${event.stage.padEnd(9)}${attempt} ${seconds(event.startedAt, event.endedAt)}${error}`);
    }
    if (hasEnded(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
