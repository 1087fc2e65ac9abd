import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../lib/config';
import { bundleSpecFile } from '../lib/openapi/intake/bundle';
import { parseSpecDocument } from '../lib/openapi/intake/document';
import { FETCH_TIMEOUT_MS, type SpecReference } from '../lib/openapi/intake/load';
import { externalRefs } from '../lib/openapi/intake/ref-fence';
import type { TargetConfig } from '../lib/core/target';

export interface RunOptions {
  spec?: string;
  issue?: string;
  repository?: string;
  framework?: string;
  name?: string;
}

/**
 * A local spec file is uploaded as content, so the API never opens a path a client names; its
 * relative refs are bundled here under the same fence the server applies (inside the file's own
 * directory; remote refs public only, or on TESTLOOM_SPEC_URL_HOSTS). A URL stays a URL.
 */
export async function specReference(spec: string, config: Config): Promise<SpecReference> {
  if (/^https?:\/\//i.test(spec)) return { url: spec };
  const field = '--spec';
  let real: string;
  try {
    real = await fs.realpath(path.resolve(spec));
  } catch {
    throw new Error(`${field}: no file at ${path.resolve(spec)}`);
  }
  const text = await fs.readFile(real, 'utf8');
  const { document } = parseSpecDocument(text, field);
  if (!externalRefs(document).length) return { content: text };
  const bundled = await bundleSpecFile(real, document, {
    field, maxBytes: config.api.maxSpecBytes, urlHosts: config.api.specUrlHosts, timeoutMs: FETCH_TIMEOUT_MS,
  });
  return { content: JSON.stringify(bundled, null, 2) };
}

/** The body of `POST /api/v1/runs` for `testloom run`. */
export async function buildRunRequest(options: RunOptions, target: TargetConfig | undefined, config: Config): Promise<Record<string, unknown>> {
  if (options.issue) return { issue: options.issue };
  return {
    spec: await specReference(options.spec!, config),
    repository: options.repository,
    ...(options.framework ? { framework: options.framework } : {}),
    ...(options.name ? { name: options.name } : {}),
    ...(target ? { target } : {}),
  };
}
