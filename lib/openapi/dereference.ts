import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPI } from 'openapi-types';
import { externalRefs } from './intake/ref-fence';

export class SpecValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecValidationError';
  }
}

/**
 * Validates against the OpenAPI / Swagger schema and resolves every internal $ref. Nothing outside
 * the document is ever read: the API stores specs with internal refs only (path specs bundled), and
 * an external ref in a document stored earlier, or in a repository's spec, is refused here.
 */
export async function dereferenceSpec(document: Record<string, unknown>): Promise<OpenAPI.Document> {
  const [external] = externalRefs(document);
  if (external) {
    throw new SpecValidationError(`invalid OpenAPI document: external $ref "${external.ref}" at ${external.pointer} is not resolved: a spec may only reference inside itself (start the run again through the API or CLI, which bundle a spec file's references)`);
  }
  const copy = structuredClone(document) as unknown as OpenAPI.Document;
  try {
    return await SwaggerParser.validate(copy, { resolve: { external: false, file: false, http: false } });
  } catch (err) {
    throw new SpecValidationError(`invalid OpenAPI document: ${(err as Error).message}`);
  }
}
