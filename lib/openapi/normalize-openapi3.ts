import { HTTP_METHODS, type ArrayStyle, type OperationLink, type OperationParameter, type OperationRequestBody, type OperationResponse, type ParameterLocation } from './operation';
import type { NormalizedOperation } from './normalized-operation';
import { asSchema, firstNamedExample, pickMediaType, schemaExample, schemaTypes, type SchemaObject } from './schema';
import { securityRequirements } from './security';
import { isSpecObject, optionalString, requiresSecurity, specArray, specObject, stringArray, type SpecObject } from './spec-object';

const LOCATIONS: readonly string[] = ['path', 'query', 'header', 'cookie'];
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

/** The schema and example of a parameter or body: `schema` directly, or the chosen entry of `content`. */
function contentSchema(owner: SpecObject): { mediaType?: string; schema: SchemaObject; example?: unknown } {
  const content = specObject(owner.content);
  const mediaType = pickMediaType(Object.keys(content));
  const media = specObject(mediaType ? content[mediaType] : undefined);
  const schema = asSchema(owner.schema ?? media.schema);
  const example =
    owner.example ?? firstNamedExample(owner.examples) ?? media.example ?? firstNamedExample(media.examples) ?? schemaExample(schema);
  return { mediaType, schema, example };
}

function arrayStyle(location: ParameterLocation, style: unknown, explode: unknown): ArrayStyle {
  const effectiveStyle = typeof style === 'string' ? style : location === 'query' || location === 'cookie' ? 'form' : 'simple';
  if (effectiveStyle === 'spaceDelimited') return 'ssv';
  if (effectiveStyle === 'pipeDelimited') return 'pipes';
  const exploded = typeof explode === 'boolean' ? explode : effectiveStyle === 'form';
  return effectiveStyle === 'form' && exploded ? 'multi' : 'csv';
}

function normalizeParameter(raw: SpecObject): OperationParameter | undefined {
  const name = optionalString(raw.name);
  const location = raw.in as ParameterLocation;
  if (!name || !LOCATIONS.includes(location)) return undefined;
  const { schema, example } = contentSchema(raw);
  const parameter: OperationParameter = { name, in: location, required: location === 'path' || raw.required === true, schema };
  if (example !== undefined) parameter.example = example;
  if (schemaTypes(schema).includes('array')) parameter.arrayStyle = arrayStyle(location, raw.style, raw.explode);
  return parameter;
}

function normalizeRequestBody(raw: unknown): OperationRequestBody | undefined {
  if (!isSpecObject(raw)) return undefined;
  const { mediaType, schema, example } = contentSchema(raw);
  if (!mediaType) return undefined;
  const body: OperationRequestBody = { required: raw.required === true, mediaType, schema };
  if (example !== undefined) body.example = example;
  return body;
}

function normalizeLinks(raw: unknown): OperationLink[] {
  return Object.entries(specObject(raw)).flatMap(([name, value]) => {
    const link = specObject(value);
    const operationId = optionalString(link.operationId);
    return operationId ? [{ name, operationId, parameters: specObject(link.parameters) }] : [];
  });
}

function normalizeResponses(raw: unknown): OperationResponse[] {
  return Object.entries(specObject(raw))
    .filter(([status]) => !status.startsWith('x-'))
    .map(([status, value]) => {
      const response = specObject(value);
      const content = specObject(response.content);
      const mediaType = pickMediaType(Object.keys(content));
      const normalized: OperationResponse = { status };
      const description = optionalString(response.description);
      if (description) normalized.description = description;
      const headers = Object.keys(specObject(response.headers));
      if (headers.length) normalized.headers = headers;
      if (Object.keys(content).length) normalized.mediaTypes = Object.keys(content);
      if (mediaType) {
        normalized.mediaType = mediaType;
        const schema = specObject(content[mediaType]).schema;
        if (isSpecObject(schema)) normalized.schema = schema;
      }
      const links = normalizeLinks(response.links);
      if (links.length) normalized.links = links;
      return normalized;
    });
}

/** Operations of a dereferenced OpenAPI 3.0 or 3.1 document, in document order. */
export function normalizeOpenApi3(document: SpecObject): NormalizedOperation[] {
  const operations: NormalizedOperation[] = [];
  for (const [path, pathItemValue] of Object.entries(specObject(document.paths))) {
    const pathItem = specObject(pathItemValue);
    for (const method of HTTP_METHODS) {
      if (!isSpecObject(pathItem[method])) continue;
      const raw = pathItem[method];
      const notes: string[] = [];
      const byKey = new Map<string, OperationParameter>();
      for (const candidate of [...specArray(pathItem.parameters), ...specArray(raw.parameters)]) {
        const parameter = normalizeParameter(specObject(candidate));
        if (!parameter) continue;
        if (parameter.in === 'header' && IGNORED_HEADERS.has(parameter.name.toLowerCase())) {
          notes.push(`header parameter "${parameter.name}" ignored: OpenAPI 3 ignores Accept, Content-Type and Authorization parameters`);
          continue;
        }
        byKey.set(`${parameter.in}:${parameter.name}`, parameter);
      }
      const operation: NormalizedOperation = {
        method,
        path,
        tags: stringArray(raw.tags),
        parameters: [...byKey.values()],
        responses: normalizeResponses(raw.responses),
        security: requiresSecurity(raw.security, document.security),
        securityRequirements: securityRequirements(raw.security, document),
        notes,
      };
      const declared = optionalString(raw.operationId);
      if (declared) operation.declaredOperationId = declared;
      const summary = optionalString(raw.summary);
      if (summary) operation.summary = summary;
      const requestBody = normalizeRequestBody(raw.requestBody);
      if (requestBody) operation.requestBody = requestBody;
      operations.push(operation);
    }
  }
  return operations;
}
