import { objectShape, type Operation, type OperationParameter } from '../openapi';
import { boundaryValues, type BoundaryValue } from './boundary-values';
import { sampleRequestValue, serializeParameterValue, UnsupportedInputError } from './request-values';
import type { CaseDraft } from './case-draft';
import type { TestRequest } from './types';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parameterValue(request: TestRequest, parameter: OperationParameter): unknown {
  if (parameter.in === 'query') return request.query[parameter.name];
  if (parameter.in === 'path') return request.pathParams[parameter.name];
  return request.headers[parameter.name];
}

/** Valid boundary values only where sending them is cheap and harmless: reads, and creates. */
function acceptsValidBoundary(operation: Operation, where: 'parameter' | 'body'): boolean {
  if (where === 'body') return operation.method === 'post';
  return operation.method === 'get' || operation.method === 'head';
}

/**
 * Per query/header/path parameter and top-level body field: a value just past each length,
 * range, item-count or enum constraint (4XX), and at the limit where harmless (success).
 */
export function boundaryCases(operation: Operation, happy: TestRequest, successStatus: string): CaseDraft[] {
  const cases: CaseDraft[] = [];
  const add = (target: string, what: string, boundary: BoundaryValue, change: (request: TestRequest) => void, allowValid: boolean) => {
    if (boundary.valid && !allowValid) return;
    const request = structuredClone(happy);
    change(request);
    cases.push({
      id: `${operation.operationId}/${boundary.valid ? 'at-boundary' : 'boundary'}/${target}.${boundary.constraint}`,
      kind: boundary.valid ? 'at-boundary' : 'boundary',
      title: boundary.valid ? `accepts ${what} set to ${boundary.description}` : `rejects ${what} set to ${boundary.description} with 4xx`,
      request,
      expectedStatus: boundary.valid ? successStatus : '4XX',
    });
  };

  for (const parameter of operation.parameters) {
    if (parameter.in === 'cookie') continue;
    const current = parameterValue(happy, parameter);
    let valid = current;
    if (valid === undefined) {
      try {
        valid = sampleRequestValue(parameter.schema, `${parameter.in} parameter "${parameter.name}"`, {
          seed: `${operation.operationId}/${parameter.in}.${parameter.name}`,
          hint: parameter.name,
          example: parameter.example,
        });
      } catch (err) {
        if (err instanceof UnsupportedInputError) continue;
        throw err;
      }
    }
    const allowValid = parameter.in !== 'path' && acceptsValidBoundary(operation, 'parameter');
    for (const boundary of boundaryValues(parameter.schema, Array.isArray(valid) ? valid : [valid], `${operation.operationId}/${parameter.in}.${parameter.name}`)) {
      let sent: ReturnType<typeof serializeParameterValue>;
      try {
        sent = serializeParameterValue(parameter, boundary.value);
      } catch (err) {
        if (err instanceof UnsupportedInputError) continue;
        throw err;
      }
      add(`${parameter.in}.${parameter.name}`, `${parameter.in} parameter "${parameter.name}"`, boundary, (request) => {
        if (parameter.in === 'query') request.query[parameter.name] = sent;
        else if (parameter.in === 'path') request.pathParams[parameter.name] = Array.isArray(sent) ? sent.join(',') : sent;
        else request.headers[parameter.name] = String(sent);
      }, allowValid);
    }
  }

  const body = operation.requestBody;
  const shape = body && isPlainObject(happy.body) ? objectShape(body.schema) : undefined;
  for (const [name, schema] of shape?.properties ?? []) {
    if (schema.readOnly === true) continue;
    const valid = (happy.body as Record<string, unknown>)[name];
    for (const boundary of boundaryValues(schema, valid, `${operation.operationId}/body.${name}`)) {
      add(`body.${name}`, `field "${name}"`, boundary, (request) => {
        (request.body as Record<string, unknown>)[name] = boundary.value;
      }, acceptsValidBoundary(operation, 'body'));
    }
  }
  return cases;
}
