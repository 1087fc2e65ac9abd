import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPI } from 'openapi-types';
import { externalRefs } from './intake/ref-fence';
import { validateSpecSchema } from './schema-validation';

export class SpecValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecValidationError';
  }
}

/** How SwaggerParser may resolve: inside the document only. */
const INTERNAL_ONLY = { resolve: { external: false, file: false, http: false } } as const;

function refuseExternal(document: Record<string, unknown>): void {
  const [external] = externalRefs(document);
  if (external) {
    throw new SpecValidationError(`invalid OpenAPI document: external $ref "${external.ref}" at ${external.pointer} is not resolved: a spec may only reference inside itself (start the run again through the API or CLI, which bundle a spec file's references)`);
  }
}

/**
 * Validated against the OpenAPI / Swagger schema (and, for Swagger 2.0, SwaggerParser's rules beyond
 * it) with every internal $ref resolved except those that close a cycle, which stay `$ref`s.
 */
async function validateAcyclic(document: Record<string, unknown>): Promise<OpenAPI.Document> {
  refuseExternal(document);
  const acyclicOptions = { ...INTERNAL_ONLY, dereference: { circular: 'ignore' as const } };
  try {
    const acyclic = await SwaggerParser.dereference(structuredClone(document) as unknown as OpenAPI.Document, acyclicOptions);
    validateSpecSchema(acyclic);
    if ('swagger' in acyclic) await SwaggerParser.validate(acyclic, { ...acyclicOptions, validate: { schema: false, spec: true } });
    return acyclic;
  } catch (err) {
    throw new SpecValidationError(`invalid OpenAPI document: ${(err as Error).message}`);
  }
}

/**
 * Validates against the OpenAPI / Swagger schema and resolves every internal $ref. Nothing outside
 * the document is ever read: the API stores specs with internal refs only (path specs bundled), and
 * an external ref in a document stored earlier, or in a repository's spec, is refused here.
 */
export async function dereferenceSpec(document: Record<string, unknown>): Promise<OpenAPI.Document> {
  return SwaggerParser.dereference(await validateAcyclic(document), INTERNAL_ONLY);
}

/**
 * Validates and dereferences once, for storage: `normalized` is the dereferenced document as JSON,
 * with circular references left as internal `$ref`s (a cycle has no JSON form). `api` is the same
 * document with its cycles linked, as dereferenceSpec returns it.
 */
export async function normalizeSpec(document: Record<string, unknown>): Promise<{ api: OpenAPI.Document; normalized: string }> {
  const normalized = JSON.stringify(await validateAcyclic(document));
  return { api: await readNormalizedSpec(normalized), normalized };
}

/** A stored normalized spec as a dereferenced document again: parsing JSON and linking the cycles only, no validation. */
export async function readNormalizedSpec(normalized: string): Promise<OpenAPI.Document> {
  return SwaggerParser.dereference(JSON.parse(normalized) as OpenAPI.Document, INTERNAL_ONLY);
}
