import { objectShape, schemaTypes, type SchemaObject } from '../../openapi';
import type { PlannedCase } from '../case-draft';
import type { OperationPlan } from '../operation-plan';
import type { ScalarValue } from '../types';
import { NoValidValueError, validRequestValue } from '../values';
import { derivedCase, happyOf, happySteps, pointerOf } from './happy';

/**
 * `readOnly` values sent by a client are ignored: a write whose body schema marks a property
 * read-only (an id, a creation time, a status the API sets) is sent with a valid value of it as
 * well. The API may reject the request (4xx) or answer success; then its answer must not hold the
 * value the client sent (mass assignment, OWASP API3). Only values the API cannot have chosen by
 * chance are sent: an enum member or boolean other than the documented default, a number from a
 * wide range, a string of several characters.
 */

const MAX_FIELDS = 3;
const DISTINCT_NUMBER = 987_654;
const MIN_STRING_LENGTH = 4;
/** Ids first: their mass assignment is the most harmful. */
const byIdFirst = ([a]: [string, SchemaObject], [b]: [string, SchemaObject]) => Number(!/id$/i.test(a)) - Number(!/id$/i.test(b));

function numberOutOfReach(schema: SchemaObject): number | undefined {
  const min = typeof schema.minimum === 'number' ? schema.minimum : -Infinity;
  const max = typeof schema.maximum === 'number' ? schema.maximum : Infinity;
  const step = typeof schema.multipleOf === 'number' ? schema.multipleOf : 1;
  const value = Math.round(DISTINCT_NUMBER / step) * step;
  return value >= min && value <= max && schema.exclusiveMinimum !== value && schema.exclusiveMaximum !== value ? value : undefined;
}

/** A valid value of `schema` the API would not assign by itself, if there is one. */
function unlikelyValue(schema: SchemaObject, seed: string): ScalarValue | undefined {
  const types = schemaTypes(schema);
  if (Array.isArray(schema.enum)) {
    const others = schema.enum.filter((member): member is ScalarValue => member !== schema.default && member !== null && typeof member !== 'object');
    return schema.default !== undefined ? others.at(-1) : undefined;
  }
  if (types.includes('boolean')) return typeof schema.default === 'boolean' ? !schema.default : undefined;
  if (types.includes('integer') || types.includes('number')) return numberOutOfReach(schema);
  if (!types.includes('string')) return undefined;
  try {
    const value = validRequestValue({ ...schema, readOnly: undefined }, seed);
    return typeof value === 'string' && value.length >= MIN_STRING_LENGTH ? value : undefined;
  } catch (err) {
    if (err instanceof NoValidValueError) return undefined;
    throw err;
  }
}

function readOnlyCases(plan: OperationPlan, happy: PlannedCase): PlannedCase[] {
  // A multi-step case's request is its operation's own step.
  const body = happy.request.body;
  const properties = objectShape(plan.operation.requestBody?.schema ?? {})?.properties ?? [];
  const success = plan.operation.responses.find((response) => response.status === plan.successStatus)?.schema;
  const answered = new Set((objectShape(success ?? {})?.properties ?? []).map(([name]) => name));
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  const cases: PlannedCase[] = [];
  for (const [name, schema] of properties.filter(([field, property]) => property.readOnly === true && answered.has(field)).sort(byIdFirst)) {
    const value = unlikelyValue(schema, `${plan.operation.operationId}/read-only.${name}`);
    if (value === undefined) continue;
    const { setup, own } = happySteps(happy, 'response');
    own.request.body = { ...(own.request.body as Record<string, unknown>), [name]: value };
    own.expectedStatus = `${plan.successStatus}|4XX`;
    own.checks = [{ kind: 'not-stored', pointer: pointerOf(name), value }];
    const title = `ignores or rejects read-only field "${name}" sent by the client`;
    cases.push(derivedCase(happy, `behaviour/body.${name}.read-only`, title, [...setup, own], 'behaviour'));
    if (cases.length === MAX_FIELDS) break;
  }
  return cases;
}

/** Adds, to each POST, PUT and PATCH whose body marks properties read-only, the cases that send them. */
export function addReadOnlyCases(plans: OperationPlan[]): void {
  for (const plan of plans) {
    const happy = happyOf(plan);
    if (happy && ['post', 'put', 'patch'].includes(plan.operation.method)) plan.cases.push(...readOnlyCases(plan, happy));
  }
}
