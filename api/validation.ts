/**
 * Request validation compiled from the API's own OpenAPI description (api/openapi/document.ts):
 * request bodies and query strings are checked by ajv against the schemas the document publishes,
 * and failures become `400 { error: { code: 'invalid_request', details: [{ field, message }] } }`.
 */
import { createHash } from 'node:crypto';
import Ajv2020, { type DefinedError, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { cachedValidator } from '../lib/json-schema/cached-validator';
import type { SpecReference } from '../lib/openapi/intake/load';
import type { RunStatus, TriggerKind } from '../lib/core/run';
import type { TargetConfig } from '../lib/core/target';
import type { FrameworkName } from '../lib/core/frameworks';
import { HttpError, type ErrorDetail } from './errors';
import { openApiDocument, type JsonSchema, type OpenApiDocument, type OpenApiOperation, type OpenApiParameter } from './openapi/document';


/** The id the document is registered under in ajv; local `#/…` references resolve against it. */
const DOCUMENT_ID = 'https://testloom.local/openapi.json';
/** Top-level keywords of an OpenAPI document: known to ajv, never validated as schema keywords. */
const OPENAPI_KEYWORDS = ['openapi', 'info', 'servers', 'paths', 'components', 'security', 'tags', 'jsonSchemaDialect', 'webhooks', 'externalDocs'];
/** Keywords whose failure is about the object's shape, worded per field rather than by `x-error-message`. */
const STRUCTURAL_KEYWORDS = new Set(['required', 'additionalProperties', 'oneOf', 'anyOf', 'allOf', 'not', 'if', 'then', 'else', '$ref']);

/** One ajv per document and coercion mode, made on first use: its formats and the document are added once. */
const ajvs = new WeakMap<OpenApiDocument, Map<boolean, Ajv2020>>();

function ajvFor(document: OpenApiDocument, coerceTypes: boolean): Ajv2020 {
  const byMode = ajvs.get(document) ?? new Map<boolean, Ajv2020>();
  ajvs.set(document, byMode);
  let ajv = byMode.get(coerceTypes);
  if (!ajv) byMode.set(coerceTypes, (ajv = createAjv(document, coerceTypes)));
  return ajv;
}

function createAjv(document: OpenApiDocument, coerceTypes: boolean) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true, coerceTypes, code: { source: true } });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-error-message', schemaType: 'string' });
  ajv.addVocabulary(OPENAPI_KEYWORDS);
  ajv.addSchema(document, DOCUMENT_ID);
  return ajv;
}

const documentHashes = new WeakMap<OpenApiDocument, string>();

/** The document's content, as part of its validators' cache key: they may reference any of its schemas. */
function documentHash(document: OpenApiDocument): string {
  let hash = documentHashes.get(document);
  if (!hash) documentHashes.set(document, (hash = createHash('sha256').update(JSON.stringify(document)).digest('hex')));
  return hash;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Follows a local `$ref` (`#/components/…`) inside the document. */
function resolve<T>(document: OpenApiDocument, node: T | { $ref: string }): T {
  let current: unknown = node;
  while (isObject(current) && typeof current.$ref === 'string' && current.$ref.startsWith('#/')) {
    current = current.$ref.slice(2).split('/').reduce<unknown>((at, key) => (at as Record<string, unknown>)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
  }
  if (current === undefined) throw new Error(`openapi document: unresolved reference ${JSON.stringify(node)}`);
  return current as T;
}

/** A copy of a schema whose local references point into the registered document. */
function anchored(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(anchored);
  if (!isObject(schema)) return schema;
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [
    key,
    key === '$ref' && typeof value === 'string' && value.startsWith('#') ? `${DOCUMENT_ID}${value}` : anchored(value),
  ]));
}

function describe(error: ErrorObject, root: string): ErrorDetail {
  const base = [root, ...error.instancePath.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))].filter(Boolean).join('.');
  const child = (name: string) => `${base ? `${base}.` : ''}${name}`;
  // Ajv's own keywords' errors, typed by keyword (DefinedError): their params are known.
  const defined = error as DefinedError;
  if (defined.keyword === 'additionalProperties') return { field: child(defined.params.additionalProperty), message: 'is not a known field' };
  if (defined.keyword === 'required') return { field: child(defined.params.missingProperty), message: 'is required' };
  const parent: unknown = error.parentSchema;
  const custom = isObject(parent) ? parent['x-error-message'] : undefined;
  const message = typeof custom === 'string' && !STRUCTURAL_KEYWORDS.has(error.keyword) ? custom
    : error.keyword === 'enum' ? `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`
    : (error.message ?? 'is invalid');
  return { field: base || root || 'body', message };
}

function reject(details: ErrorDetail[]): never {
  const unique = details.filter((d, i) => details.findIndex((o) => o.field === d.field && o.message === d.message) === i);
  throw new HttpError(400, 'invalid_request', unique.map((d) => `${d.field}: ${d.message}`).join('; '), unique);
}

interface Branch {
  validate: ValidateFunction;
  required: string[];
}

/**
 * Validates against a schema; when it is a `oneOf` of object forms (spec run | issue run), the
 * errors reported are those of the form the request meant: the one whose required fields it has,
 * instead of every form's complaints at once.
 */
function compile(document: OpenApiDocument, coerceTypes: boolean, schema: JsonSchema, root: string) {
  // Compiled once per machine (lib/json-schema/cached-validator.ts); the Ajv instance is made only to compile.
  const context = `testloom API ${documentHash(document)} coerceTypes=${coerceTypes}`;
  const validatorOf = (part: JsonSchema) => cachedValidator(anchored(part) as JsonSchema, context, () => ajvFor(document, coerceTypes));
  const validate = validatorOf(schema);
  const target = resolve<JsonSchema>(document, schema);
  const branches: Branch[] | undefined = Array.isArray(target.oneOf)
    ? (target.oneOf as JsonSchema[]).map((branch) => ({
      validate: validatorOf(branch),
      required: (resolve<JsonSchema>(document, branch).required as string[] | undefined) ?? [],
    }))
    : undefined;
  return (value: unknown): void => {
    if (validate(value)) return;
    if (!branches || !isObject(value)) return reject((validate.errors ?? []).filter((e) => e.keyword !== 'oneOf').map((e) => describe(e, root)));
    const scores = branches.map((b) => b.required.filter((key) => key in value).length);
    const best = scores.indexOf(Math.max(...scores));
    const tied = branches.filter((_, i) => scores[best] > 0 && scores[i] === scores[best]);
    if (tied.length > 1) {
      const keys = tied.flatMap((b) => b.required.filter((key) => key in value));
      return reject(keys.map((key) => ({ field: root ? `${root}.${key}` : key, message: `cannot be combined with ${keys.filter((k) => k !== key).join(', ')}` })));
    }
    const branch = branches[best];
    if (branch.validate(value)) return reject([{ field: root || 'body', message: 'matches more than one request form' }]);
    const alternatives = branches.filter((b) => b !== branch).map((b) => b.required[0]).filter(Boolean);
    return reject((branch.validate.errors ?? []).map((e) => {
      const detail = describe(e, root);
      return scores[best] === 0 && e.keyword === 'required' && e.instancePath === '' && alternatives.length
        ? { ...detail, message: `is required (or ${alternatives.join(' or ')} instead)` }
        : detail;
    }));
  };
}

export interface OperationRef {
  path: string;
  method: string;
  operation: OpenApiOperation;
}

export function findOperation(operationId: string, document: OpenApiDocument = openApiDocument): OperationRef {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (isObject(operation) && (operation as unknown as OpenApiOperation).operationId === operationId) {
        return { path, method, operation: operation as unknown as OpenApiOperation };
      }
    }
  }
  throw new Error(`openapi document: no operation ${operationId}`);
}

/**
 * Validators of one operation's JSON body and query string, from `document`, compiled on first use:
 * a process (or a CLI command) that never serves an operation never pays for compiling its schemas.
 */
function operationValidators(operationId: string, document: OpenApiDocument = openApiDocument) {
  let compiled: ReturnType<typeof compileOperation> | undefined;
  const validators = () => (compiled ??= compileOperation(operationId, document));
  return {
    /** Checks (and converts: `limit=5` becomes 5) the query string; returns a copy. */
    query<T>(value: unknown): T {
      const copy = { ...(value as object) };
      validators().checkQuery(copy);
      return copy as T;
    },
    body<T>(value: unknown): T {
      const { checkBody } = validators();
      if (!checkBody) throw new Error(`openapi document: ${operationId} takes no JSON body`);
      checkBody(value);
      return value as T;
    },
  };
}

function compileOperation(operationId: string, document: OpenApiDocument) {
  const { path, operation } = findOperation(operationId, document);
  const parameters = [...(document.paths[path].parameters ?? []), ...(operation.parameters ?? [])]
    .map((p) => resolve<OpenApiParameter>(document, p));
  const query = parameters.filter((p) => p.in === 'query');
  const querySchema: JsonSchema = {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(query.map((p) => [p.name, p.schema])),
    required: query.filter((p) => p.required).map((p) => p.name),
  };
  const checkQuery = compile(document, true, querySchema, '');
  const bodySchema = operation.requestBody?.content['application/json']?.schema;
  const checkBody = bodySchema ? compile(document, false, bodySchema, '') : undefined;
  return { checkQuery, checkBody };
}

export interface SpecRunBody {
  spec: SpecReference;
  /** With the repository, the spec's identity across revisions; default its title. */
  name?: string;
  repository?: string;
  framework?: FrameworkName;
  target?: TargetConfig;
  /** Start a new run although one exists for this spec and repository (once it has ended). */
  rerun?: boolean;
}

export type PlanBody = Omit<SpecRunBody, 'rerun' | 'name'>;

export interface IssueRunBody {
  /** `owner/repo#12` */
  issue: string;
  repository?: string;
}

export type StartRunBody = SpecRunBody | IssueRunBody;

export const isIssueRunBody = (body: StartRunBody): body is IssueRunBody => 'issue' in body;

export interface ListRunsQuery {
  status?: RunStatus;
  trigger?: TriggerKind;
  repository?: string;
  limit?: number;
  cursor?: string;
}

const startRun = operationValidators('startRun');
const listRuns = operationValidators('listRuns');
const cancelRun = operationValidators('cancelRun');
const executeRun = operationValidators('executeRun');
const scheduleRun = operationValidators('scheduleRun');
const planRun = operationValidators('planRun');
const listFailures = operationValidators('listFailures');
const specChanged = operationValidators('receiveSpecChangedWebhook');
const similarTests = operationValidators('findSimilarTests');

export const parseStartRunBody = (value: unknown) => startRun.body<StartRunBody>(value);
/** The query string of `POST /api/v1/runs` (a raw spec upload names its repository here). */
export const parseStartRunQuery = (value: unknown) => startRun.query<{ repository?: string }>(value);
export const parseListRunsQuery = (value: unknown) => listRuns.query<ListRunsQuery>(value);
export interface SpecChangedBody {
  event: 'endpoint.created' | 'endpoint.updated' | 'endpoint.deleted' | 'spec.updated';
  repository?: string;
  name: string;
  spec: SpecReference;
}

export const parseSpecChangedBody = (value: unknown) => specChanged.body<SpecChangedBody>(value);
export const parseListFailuresQuery = (value: unknown) => listFailures.query<{ repository?: string }>(value);
export const parseCancelRunBody = (value: unknown) => cancelRun.body<{ reason?: string }>(value ?? {});
export const parseExecuteRunBody = (value: unknown) => executeRun.body<{ target?: TargetConfig; failFast?: boolean; budget?: number }>(value ?? {});
type ScheduleRunBody = { cron?: string; interval?: string; target?: TargetConfig; failFast?: boolean; budget?: number };
export const parseScheduleRunBody = (value: unknown) => scheduleRun.body<ScheduleRunBody>(value ?? {});
export const parsePlanBody = (value: unknown) => planRun.body<PlanBody>(value);
export interface SimilarTestsBody {
  query: string;
  repository?: string;
  limit?: number;
  minScore?: number;
}

export const parseSimilarTestsBody = (value: unknown) => similarTests.body<SimilarTestsBody>(value ?? {});
