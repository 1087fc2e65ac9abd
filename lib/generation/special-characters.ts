import { schemaTypes, type Operation, type SchemaObject } from '../openapi';
import type { CaseDraft } from './case-draft';
import type { TestRequest } from './types';

/**
 * Free text as users type it: quotes, brackets, a backslash and a percent sign, which an API that
 * builds a regular expression, a query or a format string from its input breaks on (a 500). Sent
 * in each plain-string query parameter of a read, within its length limits: a valid value, so the
 * documented success is expected.
 */
// Unbalanced on purpose: a bracket or parenthesis left open, a trailing backslash.
const SPECIAL = `O'Neil "x" (50% [off \\`;

function isFreeText(schema: SchemaObject): boolean {
  const types = schemaTypes(schema);
  return types.includes('string') && !types.includes('array') && schema.enum === undefined && schema.const === undefined
    && schema.format === undefined && schema.pattern === undefined;
}

/** The special text cut or padded to fit `minLength`…`maxLength`, keeping the characters that matter first. */
function fitted(schema: SchemaObject): string | undefined {
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  const core = `('"[\\%`;
  if (max < core.length) return undefined;
  const text = SPECIAL.length <= max ? SPECIAL : core;
  return text.length >= min ? text : text.padEnd(min, 'x');
}

export function specialCharacterCases(operation: Operation, happy: TestRequest, successStatus: string): CaseDraft[] {
  if (operation.method !== 'get' && operation.method !== 'head') return [];
  return operation.parameters.flatMap((parameter): CaseDraft[] => {
    const value = parameter.in === 'query' && isFreeText(parameter.schema) ? fitted(parameter.schema) : undefined;
    if (value === undefined) return [];
    const request = structuredClone(happy);
    request.query[parameter.name] = value;
    return [{
      id: `${operation.operationId}/special-characters/query.${parameter.name}`,
      kind: 'special-characters',
      title: `accepts query parameter "${parameter.name}" holding quotes, brackets, a backslash and a percent sign`,
      request,
      expectedStatus: successStatus,
    }];
  });
}
