import { schemaTypes, type Operation, type SchemaObject } from '../openapi';
import type { CaseDraft } from './case-draft';
import type { ScalarValue, TestRequest } from './types';
import { seededRandom, stringFromPattern } from './values';

const UNKNOWN_NUMBER = 999_999_999;
const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';
const UNKNOWN_STRING = 'testloom-no-such-id';

/** A value of the parameter's type that names nothing, or undefined when any valid value might exist (enums). */
function unknownValue(schema: SchemaObject): ScalarValue | undefined {
  if (Array.isArray(schema.enum)) return undefined;
  const types = schemaTypes(schema).filter((type) => type !== 'null');
  if (types.includes('integer') || types.includes('number')) {
    const maximum = typeof schema.maximum === 'number' ? schema.maximum : undefined;
    return maximum !== undefined && maximum < UNKNOWN_NUMBER ? undefined : UNKNOWN_NUMBER;
  }
  if (types.length && !types.includes('string')) return undefined;
  if (schema.format === 'uuid') return UNKNOWN_UUID;
  if (typeof schema.pattern === 'string') {
    const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
    return stringFromPattern(schema.pattern, seededRandom(`not-found/${schema.pattern}`), minLength, typeof schema.maxLength === 'number' ? schema.maxLength : Infinity);
  }
  if (schema.format !== undefined) return undefined;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  return UNKNOWN_STRING.length <= maxLength && UNKNOWN_STRING.length >= minLength ? UNKNOWN_STRING : undefined;
}

/**
 * The last path parameter (the innermost resource) set to an id that names nothing: 404, only
 * when the operation documents 404. Returns the case or the reason there is none.
 */
export function notFoundCase(operation: Operation, happy: TestRequest): { case?: CaseDraft; reason?: string } {
  const names = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
  if (!names.length) return {};
  if (!operation.responses.some((response) => response.status === '404')) return { reason: 'no not-found case: the operation documents no 404 response' };
  const name = names[names.length - 1];
  const parameter = operation.parameters.find((p) => p.in === 'path' && p.name === name);
  const value = parameter ? unknownValue(parameter.schema) : undefined;
  if (value === undefined) return { reason: `no not-found case: no value of path parameter "${name}" is certain to name nothing` };
  const request = structuredClone(happy);
  request.pathParams[name] = value;
  // A pattern-shaped id is drawn afresh at run time: the suite itself may have created the one drawn here.
  if (typeof parameter?.schema.pattern === 'string') request.unique = { ...request.unique, [`path:${name}`]: { pattern: parameter.schema.pattern } };
  return {
    case: {
      id: `${operation.operationId}/not-found/path.${name}`,
      kind: 'not-found',
      title: `returns 404 for an unknown ${name} (${JSON.stringify(value)})`,
      request,
      expectedStatus: '404',
    },
  };
}
