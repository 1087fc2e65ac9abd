import type { Operation, SchemaObject } from '../openapi';

/** The suite file holding each checked success response's schema, keyed `"<operationId> <status>"`. */
export const RESPONSE_SCHEMAS_FILE = 'response-schemas.json';

/** The suite file holding the media types each operation documents for its error answers: operationId → status → types. */
export const RESPONSE_MEDIA_TYPES_FILE = 'response-media-types.json';

/** An operation's documented error statuses (4xx, 5xx, their ranges, `default`) with the media types their content declares; statuses upper-cased (`4XX`). */
export function errorMediaTypes(operation: Operation): Record<string, string[]> | undefined {
  const entries = operation.responses
    .filter((response) => !/^2/.test(response.status) && response.mediaTypes?.length)
    .map((response) => [response.status.toUpperCase(), response.mediaTypes!.map((type) => type.toLowerCase())] as const);
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** The JSON-Schema subset the generated helpers validate (expectMatchesSchema / expect_matches_schema). */
export interface ContractSchema {
  type?: string[];
  properties?: Record<string, ContractSchema>;
  required?: string[];
  items?: ContractSchema;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  anyOf?: ContractSchema[];
}

const COPIED = ['format', 'minimum', 'maximum', 'minLength', 'maxLength'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function declaredTypes(schema: SchemaObject): string[] | undefined {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type.filter((type): type is string => typeof type === 'string');
  return undefined;
}

/** Types both sides allow (`integer` within `number`); an impossible intersection keeps the first side rather than rejecting everything. */
function intersectTypes(a: string[], b: string[]): string[] {
  const allows = (types: string[], type: string) => types.includes(type) || (type === 'integer' && types.includes('number'));
  const both = [...new Set([...a.filter((type) => allows(b, type)), ...b.filter((type) => allows(a, type))])];
  return both.length ? both : a;
}

function merge(a: ContractSchema, b: ContractSchema): ContractSchema {
  const merged: ContractSchema = { ...b, ...a };
  if (a.type && b.type) merged.type = intersectTypes(a.type, b.type);
  if (a.properties && b.properties) {
    const properties = { ...b.properties };
    for (const [name, schema] of Object.entries(a.properties)) properties[name] = properties[name] ? merge(schema, properties[name]) : schema;
    merged.properties = properties;
  }
  if (a.required && b.required) merged.required = [...new Set([...a.required, ...b.required])];
  if (a.items && b.items) merged.items = merge(a.items, b.items);
  return merged;
}

function compact(schema: SchemaObject, path: Set<object>): ContractSchema {
  // A schema seen again on the path is recursive: cut it rather than unroll it.
  if (path.has(schema)) return {};
  path.add(schema);
  try {
    let result: ContractSchema = {};
    const types = declaredTypes(schema);
    if (types) result.type = types;
    if (isRecord(schema.properties)) {
      const properties = Object.entries(schema.properties).filter(([, property]) => !(isRecord(property) && property.writeOnly === true));
      result.properties = Object.fromEntries(properties.map(([name, property]) => [name, compact(isRecord(property) ? property : {}, path)]));
    }
    if (Array.isArray(schema.required)) {
      const writeOnly = (name: string) => isRecord(schema.properties) && isRecord(schema.properties[name]) && schema.properties[name].writeOnly === true;
      const required = schema.required.filter((name): name is string => typeof name === 'string' && !writeOnly(name));
      if (required.length) result.required = required;
    }
    if (isRecord(schema.items)) result.items = compact(schema.items, path);
    if (Array.isArray(schema.enum)) result.enum = [...schema.enum];
    if (schema.const !== undefined) result.const = schema.const;
    for (const keyword of COPIED) {
      const value = schema[keyword];
      if (keyword === 'format' ? typeof value === 'string' : typeof value === 'number') Object.assign(result, { [keyword]: value });
    }
    if (Array.isArray(schema.allOf)) {
      for (const member of schema.allOf) if (isRecord(member)) result = merge(result, compact(member, path));
    }
    const branches: unknown[] = [schema.oneOf, schema.anyOf].flatMap((list) => (Array.isArray(list) ? (list as unknown[]) : []));
    if (branches.length) {
      const anyOf = branches.map((branch) => compact(isRecord(branch) ? branch : {}, path));
      // A branch that accepts anything makes the alternative no check at all.
      if (!anyOf.some((branch) => Object.keys(branch).length === 0)) result.anyOf = anyOf;
    }
    if (schema.nullable === true || schema['x-nullable'] === true) {
      if (result.type && !result.type.includes('null')) result.type = [...result.type, 'null'];
      if (result.enum && !result.enum.includes(null)) result.enum = [...result.enum, null];
    }
    return result;
  } finally {
    path.delete(schema);
  }
}

/** The checked part of a documented response body schema; `{}` when it constrains nothing. */
export function responseContract(schema: SchemaObject): ContractSchema {
  return compact(schema, new Set());
}

/** Whether a contract constrains anything (an empty one is not worth a check). */
export function checksAnything(contract: ContractSchema): boolean {
  return Object.keys(contract).length > 0;
}
