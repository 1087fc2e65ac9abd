import type { SpecSource } from '../../core/run';
import { bundleSpecFile } from './bundle';
import { parseSpecDocument, type SpecDocument } from './document';
import { SpecInputError } from './errors';
import { FETCH_TIMEOUT_MS, loadSpecText, type SpecIntakePolicy, type SpecReference } from './load';
import { externalRefs } from './ref-fence';

export interface PreparedSpec {
  /** What is stored: the text as given, or for a path spec with file refs its bundle (internal refs only). */
  text: string;
  source: SpecSource;
  spec: SpecDocument;
}

function specField(ref: SpecReference): 'spec.content' | 'spec.path' | 'spec.url' {
  return ref.content !== undefined ? 'spec.content' : ref.path !== undefined ? 'spec.path' : 'spec.url';
}

/**
 * Reads, parses and fences a requested spec before anything is stored: content and URL specs may
 * reference inside themselves only; a path spec's refs are resolved here, once, into a bundle,
 * so no worker ever opens a file or URL a spec names.
 */
export async function prepareSpec(ref: SpecReference, policy: SpecIntakePolicy): Promise<PreparedSpec> {
  const loaded = await loadSpecText(ref, policy);
  const field = specField(ref);
  const spec = parseSpecDocument(loaded.text, field);
  const refs = externalRefs(spec.document);
  if (!refs.length) return { text: loaded.text, source: loaded.source, spec };
  if (loaded.realPath === undefined) {
    const [{ ref: first, pointer }] = refs;
    throw new SpecInputError(`${field}: external $ref "${first}" at ${pointer} is not allowed: a spec given as content or URL may only reference inside itself`, field);
  }
  const bundled = await bundleSpecFile(loaded.realPath, spec.document, {
    field, maxBytes: policy.maxBytes, urlHosts: policy.urlHosts, timeoutMs: policy.fetchTimeoutMs ?? FETCH_TIMEOUT_MS,
  });
  const text = JSON.stringify(bundled, null, 2);
  if (Buffer.byteLength(text) > policy.maxBytes) {
    throw new SpecInputError(`${field}: the bundled spec is larger than the limit of ${policy.maxBytes} bytes`, field, 413);
  }
  return { text, source: loaded.source, spec: parseSpecDocument(text, field) };
}
