/**
 * The issue label that starts a repository's runs: its `.testloom.yml` `labels.trigger`, else the
 * operator's TESTLOOM_TRIGGER_LABEL. Read through the repository host and kept for a short while,
 * so a burst of deliveries for one repository reads the file once.
 */
import { loadRepositoryConfig } from '../config/repository-config';
import type { WebhookDeps } from './delivery';

const KEEP_MS = 30_000;
const MAX_KEPT = 1_000;
const kept = new Map<string, { label: string; until: number }>();

export async function triggerLabelOf(deps: WebhookDeps, repository: string): Promise<string> {
  const now = Date.now();
  const hit = kept.get(repository);
  if (hit && hit.until > now) return hit.label;
  const policy = { hosts: deps.config.execution.hosts, variables: deps.config.execution.variables };
  const loaded = await loadRepositoryConfig(deps.repoHost, repository, { policy });
  const label = (loaded.ok && loaded.config.labels.trigger) || deps.config.github.triggerLabel;
  if (kept.size >= MAX_KEPT) kept.clear();
  kept.set(repository, { label, until: now + KEEP_MS });
  return label;
}
