import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPI } from 'openapi-types';
import YAML from 'yaml';
import { fetchPublic, PublicFetchError } from '../../net/public-fetch';
import { SpecInputError } from './errors';
import { externalRefs, isInside, SPEC_URL_HOSTS_HINT } from './ref-fence';

export interface BundleOptions {
  /** The request field (or CLI option) a problem is blamed on. */
  field: string;
  /** For everything the refs read together. */
  maxBytes: number;
  /** TESTLOOM_SPEC_URL_HOSTS: remote refs follow the spec.url rules. */
  urlHosts: readonly string[];
  timeoutMs: number;
}

/** A file reference as the ref parser hands it over (a path, percent-encoded, or a file: URL). */
function fileSystemPath(reference: string): string {
  if (/^file:/i.test(reference)) return fileURLToPath(reference);
  try {
    return decodeURIComponent(reference);
  } catch {
    return reference;
  }
}

/** The root document's own refs, refused with their JSON pointer before anything is read. */
function checkRootRefs(document: object, file: string, root: string, field: string): void {
  for (const { ref, pointer } of externalRefs(document)) {
    const target = ref.split('#')[0];
    if (/^https?:\/\//i.test(target)) continue; // fetched under the spec.url rules
    const refused = (why: string) => new SpecInputError(
      `${field}: external $ref "${ref}" at ${pointer} ${why}: a spec loaded from a file may only reference files inside its own directory (or public http(s) URLs)`, field);
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) && !/^file:/i.test(target)) throw refused('uses a scheme that is not allowed');
    let resolved: string;
    try {
      resolved = /^file:/i.test(target) ? fileURLToPath(target) : path.resolve(path.dirname(file), target);
    } catch {
      throw refused('is not a local file URL');
    }
    if (!isInside(root, resolved)) throw refused('is not allowed');
  }
}

const limitedYaml = {
  order: 200,
  allowEmpty: true,
  canParse: ['.yaml', '.yml', '.json'],
  // The built-in js-yaml parser has no alias limit; a billion-laughs file would explode when the bundle is serialized.
  parse: (file: { data: unknown }): unknown => {
    const data = Buffer.isBuffer(file.data) ? file.data.toString('utf8') : file.data;
    return typeof data === 'string' ? YAML.parse(data, { maxAliasCount: 100 }) : data;
  },
};

/**
 * Bundles a spec read from `file` (its real path) into one self-contained document with internal
 * refs only. Relative refs may read files inside the spec's own directory tree (checked on the real
 * path, so a symlink cannot lead out); remote refs go through the public fetcher.
 */
export async function bundleSpecFile(file: string, document: Record<string, unknown>, options: BundleOptions): Promise<Record<string, unknown>> {
  const { field } = options;
  const root = path.dirname(file);
  checkRootRefs(document, file, root, field);
  let remaining = options.maxBytes;
  let refusal: Error | undefined;
  // The ref parser wraps what a resolver throws; the first refusal is what the client is told.
  const refuse = (err: Error) => (refusal ??= err);
  const shown = (target: string) => (isInside(root, target) ? path.relative(root, target) : target);
  const outside = (target: string, how = '') => refuse(new SpecInputError(
    `${field}: external $ref to ${shown(target)} leaves the spec's directory${how}: a spec loaded from a file may only reference files inside its own directory`, field));
  const tooLarge = () => refuse(new SpecInputError(`${field}: the spec and the files it references are larger than the limit of ${options.maxBytes} bytes`, field, 413));

  const fencedFile = {
    order: 100,
    canRead: (ref: { url: string }) => !/^[a-z][a-z0-9+.-]*:/i.test(ref.url) || /^file:/i.test(ref.url),
    async read(ref: { url: string }): Promise<Buffer> {
      let target: string;
      try {
        target = path.resolve(fileSystemPath(ref.url));
      } catch {
        throw refuse(new SpecInputError(`${field}: external $ref ${ref.url} is not a local file URL`, field));
      }
      if (!isInside(root, target)) throw outside(target);
      let real: string;
      try {
        real = await fs.realpath(target);
      } catch {
        throw refuse(new SpecInputError(`${field}: external $ref to ${shown(target)} cannot be read: no such file`, field));
      }
      if (!isInside(root, real)) throw outside(target, ' through a symbolic link');
      const stat = await fs.stat(real);
      if (!stat.isFile()) throw refuse(new SpecInputError(`${field}: external $ref to ${shown(target)} is not a file`, field));
      if (stat.size > remaining) throw tooLarge();
      remaining -= stat.size;
      return fs.readFile(real);
    },
  };
  const fencedHttp = {
    order: 200,
    canRead: /^https?:\/\//i,
    async read(ref: { url: string }): Promise<Buffer> {
      try {
        const { body } = await fetchPublic(ref.url, { allowedHosts: options.urlHosts, maxBytes: remaining, timeoutMs: options.timeoutMs });
        remaining -= body.length;
        return body;
      } catch (err) {
        if (!(err instanceof PublicFetchError)) throw err;
        if (err.reason === 'too-large') throw tooLarge();
        const hint = err.reason === 'refused' ? `; ${SPEC_URL_HOSTS_HINT}` : '';
        throw refuse(new SpecInputError(`${field}: remote $ref ${ref.url}: ${err.message}${hint}`, field, err.reason === 'unavailable' ? 422 : 400));
      }
    },
  };

  let bundled: OpenAPI.Document;
  try {
    bundled = await SwaggerParser.bundle(file, structuredClone(document) as unknown as OpenAPI.Document, {
      resolve: { external: true, file: fencedFile, http: fencedHttp },
      parse: { yaml: limitedYaml, binary: false },
    } as SwaggerParser.Options);
  } catch (err) {
    throw refusal ?? new SpecInputError(`${field}: the spec's references cannot be bundled: ${(err as Error).message}`, field);
  }
  const left = externalRefs(bundled);
  if (left.length) throw new SpecInputError(`${field}: external $ref "${left[0].ref}" at ${left[0].pointer} could not be bundled`, field);
  return bundled as unknown as Record<string, unknown>;
}
