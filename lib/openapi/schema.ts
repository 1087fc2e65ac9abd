/**
 * A JSON Schema / OpenAPI Schema Object after dereferencing (3.0, 3.1 or Swagger 2.0). Only the
 * keywords testloom reads are typed; dereferenced schemas may be cyclic, so walkers guard depth.
 */
export interface SchemaObject {
  type?: string | string[];
  format?: string;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  items?: SchemaObject;
  allOf?: SchemaObject[];
  enum?: unknown[];
  example?: unknown;
  examples?: unknown;
  readOnly?: boolean;
  writeOnly?: boolean;
  [keyword: string]: unknown;
}

export interface ObjectShape {
  properties: [string, SchemaObject][];
  required: string[];
}

const MAX_ALL_OF_DEPTH = 8;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asSchema(value: unknown): SchemaObject {
  return isRecord(value) ? value : {};
}

/** Declared JSON types (3.1 arrays and 3.0 single types), inferred from `properties`/`items`, or looked up through `allOf`. */
export function schemaTypes(schema: SchemaObject, depth = 0): string[] {
  if (Array.isArray(schema.type)) return schema.type.filter((t): t is string => typeof t === 'string');
  if (typeof schema.type === 'string') return [schema.type];
  if (isRecord(schema.properties)) return ['object'];
  if (isRecord(schema.items)) return ['array'];
  if (Array.isArray(schema.allOf) && depth < MAX_ALL_OF_DEPTH) {
    for (const member of schema.allOf) {
      const types = schemaTypes(asSchema(member), depth + 1);
      if (types.length) return types;
    }
  }
  return [];
}

/** Properties and required names of an object schema, merged through `allOf`; undefined when the schema is not an object. */
export function objectShape(schema: SchemaObject): ObjectShape | undefined {
  const properties = new Map<string, SchemaObject>();
  const required = new Set<string>();
  const collect = (current: SchemaObject, depth: number): void => {
    if (depth > MAX_ALL_OF_DEPTH) return;
    if (isRecord(current.properties)) {
      for (const [name, property] of Object.entries(current.properties)) {
        if (!properties.has(name)) properties.set(name, asSchema(property));
      }
    }
    if (Array.isArray(current.required)) current.required.forEach((name) => typeof name === 'string' && required.add(name));
    if (Array.isArray(current.allOf)) current.allOf.forEach((member) => collect(asSchema(member), depth + 1));
  };
  collect(schema, 0);
  if (!schemaTypes(schema).includes('object') && properties.size === 0) return undefined;
  return { properties: [...properties.entries()], required: [...required] };
}

/** The schema-level example: 3.0 `example`, else the first of 3.1 `examples`. */
export function schemaExample(schema: SchemaObject): unknown {
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  return undefined;
}

/** First value of an OpenAPI 3 `examples` map (`{ name: { value } }`), in declaration order. */
export function firstNamedExample(examples: unknown): unknown {
  if (!isRecord(examples)) return undefined;
  for (const example of Object.values(examples)) {
    if (isRecord(example) && example.value !== undefined) return example.value;
  }
  return undefined;
}

export function isJsonMediaType(mediaType: string): boolean {
  return /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(mediaType.trim());
}

/** A `Content-Type` (parameters ignored) is one of the documented media types; ranges such as `text/*` and any-type count. */
export function documentsMediaType(documented: string[], contentType: string): boolean {
  const actual = contentType.split(';')[0].trim().toLowerCase();
  return documented.some((type) => {
    const wanted = type.split(';')[0].trim().toLowerCase();
    if (wanted === '*/*') return true;
    return wanted.endsWith('/*') ? actual.startsWith(wanted.slice(0, -1)) : wanted === actual;
  });
}

/** Prefers application/json, then any JSON media type, then the first declared one. */
export function pickMediaType(mediaTypes: string[]): string | undefined {
  return (
    mediaTypes.find((type) => /^application\/json\s*(?:;|$)/i.test(type)) ??
    mediaTypes.find(isJsonMediaType) ??
    mediaTypes[0]
  );
}
