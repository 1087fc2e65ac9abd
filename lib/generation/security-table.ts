import type { Operation, SecurityScheme } from '../openapi';

export interface SchemeEntry {
  kind: Exclude<SecurityScheme['kind'], 'unsupported'>;
  in?: SecurityScheme['in'];
  parameterName?: string;
  /** Environment variable the generated suite reads the real credential from. */
  env: string;
  declared: string;
}

/** `petstore_auth` → `API_AUTH_PETSTORE_AUTH`; `apiKey` → `API_AUTH_API_KEY`. */
export function credentialVariable(schemeName: string): string {
  const words = schemeName.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return `API_AUTH_${words.toUpperCase() || 'DEFAULT'}`;
}

/** Every sendable security scheme the operations use, by name, in name order: rendered into the helpers. */
export function securitySchemeTable(operations: Operation[]): Record<string, SchemeEntry> {
  const table: Record<string, SchemeEntry> = {};
  for (const scheme of operations.flatMap((operation) => operation.securityRequirements.flat())) {
    if (scheme.kind === 'unsupported' || table[scheme.name]) continue;
    const entry: SchemeEntry = { kind: scheme.kind, env: credentialVariable(scheme.name), declared: scheme.declared };
    if (scheme.in) entry.in = scheme.in;
    if (scheme.parameterName) entry.parameterName = scheme.parameterName;
    table[scheme.name] = entry;
  }
  return Object.fromEntries(Object.entries(table).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
