import fs from 'node:fs/promises';
import path from 'node:path';
import type { SpecSource } from '../runs/types';
import { SpecInputError } from './errors';

/** Exactly one of these says where the spec comes from. */
export interface SpecReference {
  content?: string;
  path?: string;
  url?: string;
}

export interface LoadedSpecText {
  text: string;
  source: SpecSource;
}

const FETCH_TIMEOUT_MS = 15_000;

function tooLarge(field: string, maxBytes: number): SpecInputError {
  return new SpecInputError(`${field}: the spec is larger than the limit of ${maxBytes} bytes`, field, 413);
}

async function readFromPath(file: string, maxBytes: number): Promise<LoadedSpecText> {
  const absolute = path.resolve(file);
  let stat;
  try {
    stat = await fs.stat(absolute);
  } catch {
    throw new SpecInputError(`spec.path: no file at ${absolute}`, 'spec.path');
  }
  if (!stat.isFile()) throw new SpecInputError(`spec.path: ${absolute} is not a file`, 'spec.path');
  if (stat.size > maxBytes) throw tooLarge('spec.path', maxBytes);
  return { text: await fs.readFile(absolute, 'utf8'), source: { kind: 'path', location: absolute } };
}

async function readFromUrl(url: string, maxBytes: number): Promise<LoadedSpecText> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SpecInputError(`spec.url: not an absolute URL: ${url}`, 'spec.url');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SpecInputError(`spec.url: only http and https URLs are supported, got ${parsed.protocol}`, 'spec.url');
  }
  let response: Response;
  try {
    response = await fetch(parsed, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
  } catch (err) {
    throw new SpecInputError(`spec.url: could not fetch ${url}: ${(err as Error).message}`, 'spec.url', 422);
  }
  if (!response.ok) {
    throw new SpecInputError(`spec.url: ${url} answered HTTP ${response.status}`, 'spec.url', 422);
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw tooLarge('spec.url', maxBytes);
  const body = Buffer.from(await response.arrayBuffer());
  if (body.length > maxBytes) throw tooLarge('spec.url', maxBytes);
  return { text: body.toString('utf8'), source: { kind: 'url', location: parsed.href } };
}

/** Reads the spec's text from an upload, a file path or a URL, within a size limit. */
export async function loadSpecText(ref: SpecReference, maxBytes: number): Promise<LoadedSpecText> {
  const given = (['content', 'path', 'url'] as const).filter((key) => ref[key] !== undefined);
  if (given.length !== 1) {
    throw new SpecInputError('spec: give exactly one of content, path or url', 'spec');
  }
  if (ref.content !== undefined) {
    if (Buffer.byteLength(ref.content) > maxBytes) throw tooLarge('spec.content', maxBytes);
    if (!ref.content.trim()) throw new SpecInputError('spec.content: is empty', 'spec.content');
    return { text: ref.content, source: { kind: 'upload' } };
  }
  if (ref.path !== undefined) return readFromPath(ref.path, maxBytes);
  return readFromUrl(ref.url!, maxBytes);
}
