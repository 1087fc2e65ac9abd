import { isJsonMediaType, objectShape, schemaTypes, type Operation, type OperationResponse, type SchemaObject } from '../openapi';
import {
  UnsupportedInputError,
  sampleRequestValue,
  serializeParameterValue,
  wrongJsonValue,
  wrongParameterValue,
  type WrongValue,
} from './request-values';
import { authCases, planAuth } from './auth-cases';
import { boundaryCases } from './boundary-cases';
import { specialCharacterCases } from './special-characters';
import type { PlannedCase } from './case-draft';
import { notFoundCase } from './not-found-case';
import { checksAnything, responseContract, type ContractSchema } from './response-contract';
import type { RequestAuth, TestRequest } from './types';

export type { PlannedCase } from './case-draft';

/** What the happy path checks beyond the status. */
export interface ResponseCheck {
  json: boolean;
  requiredProperties: string[];
  /** For an array of objects: properties every item must have. */
  itemRequiredProperties: string[];
  /** The documented body's checked schema (see response-contract.ts), when it constrains anything. */
  schema?: ContractSchema;
  /** The success response documents a Location header. */
  location: boolean;
}

export interface OperationPlan {
  operation: Operation;
  cases: PlannedCase[];
  responseCheck: ResponseCheck;
  /** JSON media type the body is sent as. */
  bodyMediaType?: string;
  /** The first documented 2xx (`'201'`) or `'2XX'`. */
  successStatus: string;
  skipReason?: string;
  noNegativeReason?: string;
  notes: string[];
}

const NO_CHECK: ResponseCheck = { json: false, requiredProperties: [], itemRequiredProperties: [], location: false };

function successResponse(operation: Operation): { status: string; response?: OperationResponse } {
  const exact = operation.responses.find((response) => /^2\d\d$/.test(response.status));
  if (exact) return { status: exact.status, response: exact };
  const range = operation.responses.find((response) => response.status.toUpperCase() === '2XX');
  return { status: '2XX', response: range };
}

function requiredReadableProperties(schema: SchemaObject | undefined): string[] {
  const shape = schema ? objectShape(schema) : undefined;
  if (!shape) return [];
  const properties = new Map(shape.properties);
  return shape.required.filter((name) => properties.get(name)?.writeOnly !== true);
}

function responseCheck(operation: Operation, status: string, response?: OperationResponse): ResponseCheck {
  const location = Boolean(response?.headers?.some((name) => name.toLowerCase() === 'location'));
  if (operation.method === 'head' || status === '204' || !response?.mediaType || !isJsonMediaType(response.mediaType)) return { ...NO_CHECK, location };
  const schema = response.schema;
  const items = schema && schemaTypes(schema).includes('array') ? schema.items : undefined;
  const contract = schema ? responseContract(schema) : undefined;
  return {
    json: true,
    requiredProperties: requiredReadableProperties(schema),
    itemRequiredProperties: requiredReadableProperties(items),
    ...(contract && checksAnything(contract) ? { schema: contract } : {}),
    location,
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function happyRequest(operation: Operation, sendBody: boolean, auth: RequestAuth | undefined): TestRequest {
  const request: TestRequest = { pathParams: {}, query: {}, headers: {} };
  if (auth) request.auth = auth;
  const cookies: string[] = [];
  for (const parameter of operation.parameters) {
    if (!parameter.required && parameter.example === undefined) continue;
    const raw = sampleRequestValue(parameter.schema, `${parameter.in} parameter "${parameter.name}"`, {
      seed: `${operation.operationId}/${parameter.in}.${parameter.name}`,
      hint: parameter.name,
      example: parameter.example,
    });
    const value = serializeParameterValue(parameter, raw);
    if (parameter.in === 'query') request.query[parameter.name] = value;
    else if (parameter.in === 'path') request.pathParams[parameter.name] = Array.isArray(value) ? value.join(',') : value;
    else if (parameter.in === 'header') request.headers[parameter.name] = String(value);
    else cookies.push(`${parameter.name}=${encodeURIComponent(String(value))}`);
  }
  if (cookies.length) request.headers.cookie = cookies.join('; ');
  for (const [, name] of operation.path.matchAll(/\{([^}]+)\}/g)) {
    if (!(name in request.pathParams)) throw new UnsupportedInputError(`path parameter "${name}" is not declared`);
  }
  const body = operation.requestBody;
  if (body && sendBody) request.body = sampleRequestValue(body.schema, 'the request body', { seed: `${operation.operationId}/body`, example: body.example });
  return request;
}

function wrongTypeTitle(what: string, wrong: WrongValue): string {
  return `rejects ${what} of the wrong type (${wrong.sentType} instead of ${wrong.expectedType}) with 4xx`;
}

function negativeCases(operation: Operation, happy: TestRequest): Omit<PlannedCase, 'operationId' | 'method' | 'path' | 'expectedStatus'>[] {
  const cases: ReturnType<typeof negativeCases> = [];
  const id = (kind: string, target: string) => `${operation.operationId}/${kind}/${target}`;
  const variant = (change: (request: TestRequest) => void): TestRequest => {
    const request = structuredClone(happy);
    change(request);
    return request;
  };

  for (const parameter of operation.parameters) {
    if (!parameter.required || (parameter.in !== 'query' && parameter.in !== 'header')) continue;
    cases.push({
      id: id('missing-required', `${parameter.in}.${parameter.name}`),
      kind: 'missing-required',
      title: `rejects a request without required ${parameter.in} parameter "${parameter.name}" with 4xx`,
      request: variant((r) => (parameter.in === 'query' ? delete r.query[parameter.name] : delete r.headers[parameter.name])),
    });
  }
  const body = operation.requestBody;
  const hasJsonBody = happy.body !== undefined;
  if (body?.required && hasJsonBody) {
    cases.push({
      id: id('missing-required', 'body'),
      kind: 'missing-required',
      title: 'rejects a request without a body with 4xx',
      request: variant((r) => delete r.body),
    });
  }
  const shape = body && hasJsonBody && isPlainObject(happy.body) ? objectShape(body.schema) : undefined;
  const writable = (shape?.properties ?? []).filter(([, schema]) => schema.readOnly !== true);
  for (const name of shape?.required ?? []) {
    if (!writable.some(([property]) => property === name)) continue;
    cases.push({
      id: id('missing-required', `body.${name}`),
      kind: 'missing-required',
      title: `rejects a request without required field "${name}" with 4xx`,
      request: variant((r) => delete (r.body as Record<string, unknown>)[name]),
    });
  }
  for (const parameter of operation.parameters) {
    if (parameter.in === 'cookie') continue;
    const wrong = wrongParameterValue(parameter.schema);
    if (!wrong) continue;
    const value = wrong.value as string;
    cases.push({
      id: id('wrong-type', `${parameter.in}.${parameter.name}`),
      kind: 'wrong-type',
      title: wrongTypeTitle(`${parameter.in} parameter "${parameter.name}"`, wrong),
      request: variant((r) => {
        if (parameter.in === 'path') r.pathParams[parameter.name] = value;
        else if (parameter.in === 'query') r.query[parameter.name] = value;
        else r.headers[parameter.name] = value;
      }),
    });
  }
  for (const [name, schema] of writable) {
    const wrong = wrongJsonValue(schema);
    if (!wrong) continue;
    cases.push({
      id: id('wrong-type', `body.${name}`),
      kind: 'wrong-type',
      title: wrongTypeTitle(`field "${name}"`, wrong),
      request: variant((r) => ((r.body as Record<string, unknown>)[name] = wrong.value)),
    });
  }
  return cases;
}

/** The cases of one operation, or the reason it has none. */
export function planOperation(operation: Operation): OperationPlan {
  const notes = [...operation.notes];
  const { status, response } = successResponse(operation);
  const plan: OperationPlan = { operation, cases: [], responseCheck: responseCheck(operation, status, response), successStatus: status, notes };
  if (operation.method === 'trace') return { ...plan, skipReason: 'TRACE requests cannot be sent with fetch' };
  const body = operation.requestBody;
  const jsonBody = body !== undefined && isJsonMediaType(body.mediaType);
  if (body && !jsonBody) {
    if (body.required) return { ...plan, skipReason: `request body media type ${body.mediaType} is not generated (JSON bodies only)` };
    notes.push(`optional ${body.mediaType} request body not sent (JSON bodies only)`);
  }
  if (jsonBody) plan.bodyMediaType = body.mediaType;
  if (!/^2\d\d$/.test(status) && !response) notes.push('no 2xx response documented: the happy path accepts any 2xx status');
  const auth = planAuth(operation);
  notes.push(...auth.notes);

  let happy: TestRequest;
  try {
    happy = happyRequest(operation, jsonBody, auth.valid);
  } catch (err) {
    if (err instanceof UnsupportedInputError) return { ...plan, skipReason: err.message };
    throw err;
  }
  const common = { operationId: operation.operationId, method: operation.method, path: operation.path };
  const statusText = /^\d+$/.test(status) ? status : 'a 2xx status';
  plan.cases.push({
    ...common,
    id: `${operation.operationId}/happy-path`,
    kind: 'happy-path',
    title: `returns ${statusText} for a valid request`,
    request: happy,
    expectedStatus: status,
  });
  const negatives = negativeCases(operation, happy);
  plan.cases.push(...negatives.map((negative) => ({ ...common, ...negative, expectedStatus: '4XX' })));
  const boundaries = boundaryCases(operation, happy, status);
  const notFound = notFoundCase(operation, happy);
  if (notFound.reason) notes.push(notFound.reason);
  const more = [
    ...boundaries.filter((c) => c.kind === 'boundary'),
    ...boundaries.filter((c) => c.kind === 'at-boundary'),
    ...specialCharacterCases(operation, happy, status),
    ...authCases(operation, happy),
    ...(notFound.case ? [notFound.case] : []),
  ];
  plan.cases.push(...more.map((draft) => ({ ...common, ...draft })));
  if (!negatives.length && !more.length) {
    const takesInput = operation.parameters.length > 0 || body !== undefined;
    plan.noNegativeReason = takesInput ? 'no required field or typed parameter to violate' : 'operation takes no input';
  }
  return plan;
}
