import { HTTP_METHODS, type ArrayStyle, type OperationParameter, type OperationRequestBody, type OperationResponse, type ParameterLocation } from './operation';
import type { NormalizedOperation } from './normalized-operation';
import { asSchema, isJsonMediaType, pickMediaType, schemaExample, type SchemaObject } from './schema';
import { securityRequirements } from './security';
import { isSpecObject, optionalString, requiresSecurity, specArray, specObject, stringArray, type SpecObject } from './spec-object';

/** Swagger 2.0 puts schema keywords on the parameter itself. */
const SCHEMA_KEYWORDS = [
  'type', 'format', 'items', 'enum', 'default', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'multipleOf',
];
const COLLECTION_FORMATS: readonly string[] = ['multi', 'csv', 'ssv', 'tsv', 'pipes'];

function parameterSchema(raw: SpecObject): SchemaObject {
  const schema: SchemaObject = {};
  for (const keyword of SCHEMA_KEYWORDS) if (raw[keyword] !== undefined) schema[keyword] = raw[keyword];
  return schema;
}

function normalizeParameter(raw: SpecObject, name: string): OperationParameter {
  const location = raw.in as ParameterLocation;
  const schema = parameterSchema(raw);
  const parameter: OperationParameter = { name, in: location, required: location === 'path' || raw.required === true, schema };
  const example = raw['x-example'] ?? schemaExample(schema);
  if (example !== undefined) parameter.example = example;
  if (raw.type === 'array') {
    const format = typeof raw.collectionFormat === 'string' ? raw.collectionFormat : 'csv';
    parameter.arrayStyle = (COLLECTION_FORMATS.includes(format) ? format : 'csv') as ArrayStyle;
  }
  return parameter;
}

function bodyFromParameter(raw: SpecObject, consumes: string[]): OperationRequestBody {
  const schema = asSchema(raw.schema);
  const body: OperationRequestBody = { required: raw.required === true, mediaType: pickMediaType(consumes) ?? 'application/json', schema };
  const example = raw['x-example'] ?? schemaExample(schema);
  if (example !== undefined) body.example = example;
  return body;
}

/** formData parameters become a form request body, the way OpenAPI 3 models them; testloom does not generate form bodies. */
function bodyFromFormData(fields: SpecObject[], consumes: string[]): OperationRequestBody {
  const properties: Record<string, SchemaObject> = {};
  for (const field of fields) properties[String(field.name)] = parameterSchema(field);
  const required = fields.filter((field) => field.required === true).map((field) => String(field.name));
  const mediaType = consumes.find((type) => /^multipart\/form-data/i.test(type)) ?? 'application/x-www-form-urlencoded';
  return { required: required.length > 0, mediaType, schema: { type: 'object', properties, required } };
}

function normalizeResponses(raw: unknown, produces: string[]): OperationResponse[] {
  return Object.entries(specObject(raw))
    .filter(([status]) => !status.startsWith('x-'))
    .map(([status, value]) => {
      const response = specObject(value);
      const normalized: OperationResponse = { status };
      const description = optionalString(response.description);
      if (description) normalized.description = description;
      const headers = Object.keys(specObject(response.headers));
      if (headers.length) normalized.headers = headers;
      if (isSpecObject(response.schema)) {
        const schema = response.schema as SchemaObject;
        const isFile = schema.type === 'file';
        normalized.mediaType = isFile
          ? (produces.find((type) => !isJsonMediaType(type)) ?? 'application/octet-stream')
          : (pickMediaType(produces) ?? 'application/json');
        if (!isFile) normalized.schema = schema;
      }
      return normalized;
    });
}

/** Operations of a dereferenced Swagger 2.0 document, in document order. */
export function normalizeSwagger2(document: SpecObject): NormalizedOperation[] {
  const operations: NormalizedOperation[] = [];
  for (const [path, pathItemValue] of Object.entries(specObject(document.paths))) {
    const pathItem = specObject(pathItemValue);
    for (const method of HTTP_METHODS) {
      if (method === 'trace' || !isSpecObject(pathItem[method])) continue;
      const raw = pathItem[method];
      const consumes = stringArray(raw.consumes ?? document.consumes);
      const produces = stringArray(raw.produces ?? document.produces);
      const notes: string[] = [];
      const byKey = new Map<string, SpecObject>();
      for (const candidate of [...specArray(pathItem.parameters), ...specArray(raw.parameters)]) {
        const parameter = specObject(candidate);
        const name = optionalString(parameter.name);
        if (name) byKey.set(`${String(parameter.in)}:${name}`, parameter);
      }
      const parameters: OperationParameter[] = [];
      const formFields: SpecObject[] = [];
      let requestBody: OperationRequestBody | undefined;
      for (const parameter of byKey.values()) {
        const name = String(parameter.name);
        if (parameter.in === 'body') requestBody = bodyFromParameter(parameter, consumes);
        else if (parameter.in === 'formData') formFields.push(parameter);
        else if (['path', 'query', 'header'].includes(String(parameter.in))) parameters.push(normalizeParameter(parameter, name));
      }
      if (formFields.length && !requestBody) {
        requestBody = bodyFromFormData(formFields, consumes);
        const names = formFields.map((field) => `"${String(field.name)}"`).join(', ');
        notes.push(`formData parameters ${names} modelled as a ${requestBody.mediaType} body; form bodies are not generated`);
      }
      const operation: NormalizedOperation = {
        method,
        path,
        tags: stringArray(raw.tags),
        parameters,
        responses: normalizeResponses(raw.responses, produces),
        security: requiresSecurity(raw.security, document.security),
        securityRequirements: securityRequirements(raw.security, document),
        notes,
      };
      const declared = optionalString(raw.operationId);
      if (declared) operation.declaredOperationId = declared;
      const summary = optionalString(raw.summary);
      if (summary) operation.summary = summary;
      if (requestBody) operation.requestBody = requestBody;
      operations.push(operation);
    }
  }
  return operations;
}
