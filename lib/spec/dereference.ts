import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPI } from 'openapi-types';

export class SpecValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecValidationError';
  }
}

/**
 * Validates against the OpenAPI / Swagger schema and resolves every $ref. `location` (the file
 * path or URL the spec came from) is the base for relative external refs.
 */
export async function dereferenceSpec(document: Record<string, unknown>, location?: string): Promise<OpenAPI.Document> {
  const copy = structuredClone(document) as unknown as OpenAPI.Document;
  try {
    return location
      ? await SwaggerParser.validate(location, copy, {})
      : await SwaggerParser.validate(copy);
  } catch (err) {
    throw new SpecValidationError(`invalid OpenAPI document: ${(err as Error).message}`);
  }
}
