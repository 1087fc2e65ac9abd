import fs from 'node:fs';
import YAML from 'yaml';
import { isRepositoryName } from '../core/repository';
import type { TargetConfig } from '../core/target';
import { checkTargetRequest, type TargetPolicy } from '../core/target-policy';
import { ConfigError } from './errors';

const TARGET_KEYS = ['baseUrl', 'env', 'allowedMethods', 'allowedHosts'];

/**
 * TESTLOOM_TARGETS_FILE: the API each repository's runs are executed against, so issue runs (and
 * spec runs that name no target) are executed too. Checked like a requested target, against the
 * operator's host allow-list; its references are the operator's own choice, except testloom's
 * protected settings. Problems name the file and the repository.
 */
export function loadTargetsFile(file: string, policy: TargetPolicy): Record<string, TargetConfig> {
  let document: unknown;
  try {
    document = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`TESTLOOM_TARGETS_FILE ${file}: ${(err as Error).message}`);
  }
  const repositories = (document as { repositories?: unknown } | null)?.repositories;
  if (typeof repositories !== 'object' || repositories === null || Array.isArray(repositories)) {
    throw new ConfigError(`TESTLOOM_TARGETS_FILE ${file}: expected a "repositories" mapping of owner/name to a target`);
  }
  const problems: string[] = [];
  const targets: Record<string, TargetConfig> = {};
  for (const [repository, target] of Object.entries(repositories as Record<string, unknown>)) {
    const at = `repositories.${repository}`;
    if (!isRepositoryName(repository)) {
      problems.push(`${at}: not a repository name of the form owner/name`);
      continue;
    }
    if (typeof target !== 'object' || target === null || Array.isArray(target)) {
      problems.push(`${at}: expected a mapping with baseUrl (and optionally env, allowedMethods, allowedHosts)`);
      continue;
    }
    const unknown = Object.keys(target).filter((k) => !TARGET_KEYS.includes(k));
    if (unknown.length) {
      problems.push(`${at}: unknown setting ${unknown.join(', ')} (known: ${TARGET_KEYS.join(', ')})`);
      continue;
    }
    try {
      targets[repository] = checkTargetRequest(target as TargetConfig, policy);
    } catch (err) {
      problems.push(`${at}: ${(err as Error).message}`);
    }
  }
  if (problems.length) throw new ConfigError(`TESTLOOM_TARGETS_FILE ${file} is invalid:\n  - ${problems.join('\n  - ')}`);
  return targets;
}
