/** Loose views of dereferenced spec objects: input documents are untrusted, so every field is checked on use. */
export type SpecObject = Record<string, unknown>;

export function isSpecObject(value: unknown): value is SpecObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function specObject(value: unknown): SpecObject {
  return isSpecObject(value) ? value : {};
}

export function specArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

export function stringArray(value: unknown): string[] {
  return specArray(value).filter((item): item is string => typeof item === 'string');
}

/** Security is required when some requirement applies and none of the alternatives is the empty (anonymous) one. */
export function requiresSecurity(operationSecurity: unknown, documentSecurity: unknown): boolean {
  const requirements = specArray(operationSecurity === undefined ? documentSecurity : operationSecurity);
  return requirements.length > 0 && requirements.every((requirement) => Object.keys(specObject(requirement)).length > 0);
}
