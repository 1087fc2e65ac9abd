import fs from 'node:fs/promises';
import path from 'node:path';
import { fetchPublic, PublicFetchError } from '../../net/public-fetch';
import type { SpecSource } from '../../core/run';
import { SpecInputError } from './errors';
import { isInside, SPEC_URL_HOSTS_HINT } from './ref-fence';

/** Exactly one of these says where the spec comes from. */
export interface SpecReference {
  content?: string;
  path?: string;
  url?: string;
}

/** What a request may make the server read. */
export interface SpecIntakePolicy {
  maxBytes: number;
  /** TESTLOOM_SPEC_ROOTS: directories spec.path may lie under; empty: spec.path is refused. */
  roots: readonly string[];
  /** TESTLOOM_SPEC_URL_HOSTS: hosts fetched although they are not public. */
  urlHosts: readonly string[];
  /** For one URL fetch, redirects and body included. */
  fetchTimeoutMs?: number;
}

export interface LoadedSpecText {
  text: string;
  source: SpecSource;
  /** A path spec's real path: the base its relative refs are bundled from. */
  realPath?: string;
}

export const FETCH_TIMEOUT_MS = 15_000;

function tooLarge(field: string, maxBytes: number): SpecInputError {
  return new SpecInputError(`${field}: the spec is larger than the limit of ${maxBytes} bytes`, field, 413);
}

/** Each root as configured and as its real path (a root may itself be a symlink). */
async function rootForms(roots: readonly string[]): Promise<string[]> {
  const forms = await Promise.all(roots.map(async (root) => {
    const absolute = path.resolve(root);
    return [absolute, await fs.realpath(absolute).catch(() => absolute)];
  }));
  return forms.flat();
}

/**
 * A file under one of the operator's roots. The root is checked before the file is looked at, so
 * the answer never tells whether a path outside the roots exists.
 */
async function readFromPath(file: string, policy: SpecIntakePolicy): Promise<LoadedSpecText> {
  if (!policy.roots.length) {
    throw new SpecInputError('spec.path: this server does not read spec files; upload the content instead ({"spec": {"content": "…"}}; the CLI does this for a local file) or set TESTLOOM_SPEC_ROOTS', 'spec.path');
  }
  const absolute = path.resolve(file);
  const roots = await rootForms(policy.roots);
  const notUnder = new SpecInputError(`spec.path: ${absolute} is not under a directory this server reads specs from (TESTLOOM_SPEC_ROOTS); upload the content instead`, 'spec.path');
  if (!roots.some((root) => isInside(root, absolute))) throw notUnder;
  let real: string;
  try {
    real = await fs.realpath(absolute);
  } catch {
    throw new SpecInputError(`spec.path: no file at ${absolute}`, 'spec.path');
  }
  if (!roots.some((root) => isInside(root, real))) throw notUnder;
  const stat = await fs.stat(real);
  if (!stat.isFile()) throw new SpecInputError(`spec.path: ${absolute} is not a file`, 'spec.path');
  if (stat.size > policy.maxBytes) throw tooLarge('spec.path', policy.maxBytes);
  return { text: await fs.readFile(real, 'utf8'), source: { kind: 'path', location: absolute }, realPath: real };
}

async function readFromUrl(url: string, policy: SpecIntakePolicy): Promise<LoadedSpecText> {
  try {
    const fetched = await fetchPublic(url, { allowedHosts: policy.urlHosts, maxBytes: policy.maxBytes, timeoutMs: policy.fetchTimeoutMs ?? FETCH_TIMEOUT_MS });
    return { text: fetched.body.toString('utf8'), source: { kind: 'url', location: new URL(url).href } };
  } catch (err) {
    if (!(err instanceof PublicFetchError)) throw err;
    if (err.reason === 'too-large') throw tooLarge('spec.url', policy.maxBytes);
    if (err.reason === 'refused') throw new SpecInputError(`spec.url: ${err.message}; ${SPEC_URL_HOSTS_HINT}`, 'spec.url');
    throw new SpecInputError(`spec.url: ${err.message}`, 'spec.url', 422);
  }
}

/** Reads the spec's text from an upload, a file path under the roots or a public URL, within a size limit. */
export async function loadSpecText(ref: SpecReference, policy: SpecIntakePolicy): Promise<LoadedSpecText> {
  const given = (['content', 'path', 'url'] as const).filter((key) => ref[key] !== undefined);
  if (given.length !== 1) {
    throw new SpecInputError('spec: give exactly one of content, path or url', 'spec');
  }
  if (ref.content !== undefined) {
    if (Buffer.byteLength(ref.content) > policy.maxBytes) throw tooLarge('spec.content', policy.maxBytes);
    if (!ref.content.trim()) throw new SpecInputError('spec.content: is empty', 'spec.content');
    return { text: ref.content, source: { kind: 'upload' } };
  }
  if (ref.path !== undefined) return readFromPath(ref.path, policy);
  return readFromUrl(ref.url!, policy);
}
