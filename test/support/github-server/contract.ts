/**
 * Checks requests and responses of the local GitHub server against GitHub's published OpenAPI
 * description (`@octokit/openapi`, api.github.com, OpenAPI 3.0.3).
 *
 * The 13 MB description is read once per process (JSON.parse, ~0.2 s) and only when first needed;
 * each operation's validators are compiled on first use and cached. OpenAPI 3.0's `nullable` is
 * rewritten to JSON Schema (`type: [T, 'null']`, or `anyOf [..., {type: 'null'}]` where there is no
 * `type`), and `#/components/...` references are resolved through one shared schema document.
 */
import fs from 'node:fs';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export const DESCRIPTION_PATH = require.resolve('@octokit/openapi/generated/api.github.com.json');

type Json = any;  

export interface Violation {
  kind: 'request' | 'response' | 'route';
  method: string;
  path: string;
  operationId?: string;
  status?: number;
  message: string;
  errors?: unknown;
}

export interface OperationMatch {
  template: string;
  operationId: string;
  params: Record<string, string>;
}

interface Route {
  template: string;
  method: string;
  regex: RegExp;
  names: string[];
  literalSegments: number;
  operation: Json;
}

interface CompiledOperation {
  parameters: Array<{ name: string; in: string; required: boolean; validate: ValidateFunction }>;
  body?: { required: boolean; validate: ValidateFunction };
  responses: Map<string, { validate?: ValidateFunction; hasBody: boolean }>;
}

const DOC_ID = 'https://api.github.com/openapi.json';

let description: Json; // undefined until first loaded
let routes: Route[] | undefined;
let ajv: Ajv | undefined;
const compiled = new Map<string, CompiledOperation>();

/** Milliseconds the first load of the description took (for reporting; 0 until loaded). */
export let descriptionLoadMs = 0;

export function loadDescription(): Json {
  if (!description) {
    const started = Date.now();
    description = JSON.parse(fs.readFileSync(DESCRIPTION_PATH, 'utf8'));
    descriptionLoadMs = Date.now() - started;
  }
  return description;
}

/** OpenAPI 3.0 schema → JSON Schema (draft-07 as ajv 8 reads it). */
export function toJsonSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key === 'example' || key === 'examples' || key === 'discriminator' || key === 'xml' || key === 'externalDocs') continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/')) {
      out.$ref = `${DOC_ID}${value}`;
    } else if (key === 'properties' || key === 'patternProperties') {
      out[key] = Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, toJsonSchema(v)]));
    } else {
      out[key] = toJsonSchema(value);
    }
  }
  if (schema.nullable === true) {
    if (out.$ref || out.type === undefined) {
      return { anyOf: [out, { type: 'null' }] };
    }
    out.type = Array.isArray(out.type) ? [...new Set([...out.type, 'null'])] : [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

function getAjv(): Ajv {
  if (!ajv) {
    const doc = loadDescription();
    ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true });
    addFormats(ajv);
    // Formats GitHub uses that ajv-formats does not define: accept any string.
    for (const format of ['repo.nwo', 'ssh-key', 'ssh-key fingerprint', 'binary', 'int32', 'int64', 'uint', 'color']) {
      if (!ajv.formats[format]) ajv.addFormat(format, true);
    }
    ajv.addSchema({ $id: DOC_ID, components: { schemas: toJsonSchema(doc.components.schemas) } });
  }
  return ajv;
}

function resolveRef<T = Json>(value: Json): T {
  let current = value;
  while (current && typeof current.$ref === 'string') {
    const pointer = current.$ref.replace(/^#\//, '').split('/');
    current = pointer.reduce((node: Json, key: string) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], loadDescription());
  }
  return current;
}

function getRoutes(): Route[] {
  if (!routes) {
    const doc = loadDescription();
    routes = [];
    for (const [template, item] of Object.entries<Json>(doc.paths)) {
      const names: string[] = [];
      const segments = template.split('/');
      const pattern = segments
        .map((segment, i) =>
          segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, name: string) => {
            names.push(name);
            // A git ref in the last segment may contain slashes (heads/testloom/issue-1), sent raw or %2F-encoded.
            return i === segments.length - 1 && name === 'ref' ? '(.+)' : '([^/]+)';
          }),
        )
        .join('/');
      const literalSegments = segments.filter((s) => !s.includes('{')).length;
      for (const method of ['get', 'put', 'post', 'patch', 'delete', 'head']) {
        if (item[method]) routes.push({ template, method, regex: new RegExp(`^${pattern}$`), names, literalSegments, operation: item[method] });
      }
    }
    routes.sort((a, b) => b.literalSegments - a.literalSegments);
  }
  return routes;
}

/** The documented operation for a method and a concrete request path (no query string). */
export function findOperation(method: string, pathname: string): OperationMatch | undefined {
  const m = method.toLowerCase();
  for (const route of getRoutes()) {
    if (route.method !== m) continue;
    const match = route.regex.exec(pathname);
    if (!match) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1])));
    return { template: route.template, operationId: route.operation.operationId, params };
  }
  return undefined;
}

function operationFor(method: string, template: string): Json {
  return loadDescription().paths[template]?.[method.toLowerCase()];
}

function compile(method: string, template: string): CompiledOperation {
  const key = `${method.toUpperCase()} ${template}`;
  let op = compiled.get(key);
  if (op) return op;
  const a = getAjv();
  const operation = operationFor(method, template);
  if (!operation) throw new Error(`no operation ${key} in GitHub's OpenAPI description`);
  const parameters = (operation.parameters ?? []).map((p: Json) => {
    const param = resolveRef(p);
    return { name: param.name, in: param.in, required: !!param.required, validate: a.compile(toJsonSchema(param.schema ?? {})) };
  });
  let body: CompiledOperation['body'];
  const requestBody = resolveRef(operation.requestBody);
  const bodySchema = requestBody?.content?.['application/json']?.schema;
  if (bodySchema) body = { required: !!requestBody.required, validate: a.compile(toJsonSchema(bodySchema)) };
  const responses = new Map<string, { validate?: ValidateFunction; hasBody: boolean }>();
  for (const [status, r] of Object.entries<Json>(operation.responses ?? {})) {
    const response = resolveRef(r);
    const schema = response?.content?.['application/json']?.schema;
    responses.set(status, { hasBody: !!schema, validate: schema ? a.compile(toJsonSchema(schema)) : undefined });
  }
  op = { parameters, body, responses };
  compiled.set(key, op);
  return op;
}

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).slice(0, 8).map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`).join('; ');
}

/** Coerces a query/path string to what the parameter schema's type expects, as GitHub reads it. */
function coerce(value: string, validate: ValidateFunction): unknown {
  const type = (validate.schema as Json)?.type;
  const types = Array.isArray(type) ? type : [type];
  if ((types.includes('integer') || types.includes('number')) && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (types.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

export interface RequestToCheck {
  method: string;
  template: string;
  operationId: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

export function checkRequest(req: RequestToCheck): Violation[] {
  const op = compile(req.method, req.template);
  const violations: Violation[] = [];
  const base = { kind: 'request' as const, method: req.method, path: req.path, operationId: req.operationId };
  for (const param of op.parameters) {
    if (param.in !== 'path' && param.in !== 'query') continue;
    const raw = param.in === 'path' ? req.params[param.name] : req.query.get(param.name) ?? undefined;
    if (raw === undefined) {
      if (param.required) violations.push({ ...base, message: `missing required ${param.in} parameter ${param.name}` });
      continue;
    }
    const value = coerce(raw, param.validate);
    if (!param.validate(value)) violations.push({ ...base, message: `${param.in} parameter ${param.name}=${raw}: ${describe(param.validate.errors)}`, errors: param.validate.errors });
  }
  if (op.body) {
    if (req.body === undefined) {
      if (op.body.required) violations.push({ ...base, message: 'missing required request body' });
    } else if (!op.body.validate(req.body)) {
      violations.push({ ...base, message: `request body: ${describe(op.body.validate.errors)}`, errors: op.body.validate.errors });
    }
  } else if (req.body !== undefined && ['post', 'patch', 'put'].includes(req.method.toLowerCase())) {
    violations.push({ ...base, message: 'request body sent to an operation that documents none' });
  }
  return violations;
}

export interface ResponseToCheck {
  method: string;
  template: string;
  operationId: string;
  path: string;
  status: number;
  body: unknown;
}

export function checkResponse(res: ResponseToCheck): Violation[] {
  const op = compile(res.method, res.template);
  const base = { kind: 'response' as const, method: res.method, path: res.path, operationId: res.operationId, status: res.status };
  const documented = op.responses.get(String(res.status)) ?? op.responses.get(`${String(res.status)[0]}XX`) ?? op.responses.get('default');
  if (!documented) {
    return [{ ...base, message: `status ${res.status} is not documented for ${res.operationId} (documented: ${[...op.responses.keys()].join(', ')})` }];
  }
  if (documented.validate && !documented.validate(res.body)) {
    return [{ ...base, message: `response body for ${res.status}: ${describe(documented.validate.errors)}`, errors: documented.validate.errors }];
  }
  return [];
}

/** Validates a value against a named schema of `#/components/schemas` (for tests of the checker itself). */
export function checkSchema(name: string, value: unknown): string[] {
  const validate = getAjv().getSchema(`${DOC_ID}#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name}`);
  return validate(value) ? [] : [describe(validate.errors)];
}

/** The named example of `#/components/examples` (GitHub's own sample responses). */
export function example(name: string): Json {
  const value = loadDescription().components.examples[name]?.value;
  if (value === undefined) throw new Error(`no example ${name}`);
  return structuredClone(value);
}
