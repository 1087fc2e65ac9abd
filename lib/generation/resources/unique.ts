import { objectShape, schemaTypes, type SchemaObject } from '../../openapi';
import type { PlannedCase } from '../case-draft';
import type { OperationPlan } from '../operation-plan';
import type { TestRequest, UniqueRule } from '../types';

/**
 * Fresh values per request for the text fields of what a test creates or replaces: an API keeps
 * emails, names, codes and keys unique, so a create repeated by the next test (or the next run of
 * the suite) must not reuse them. Dates, URLs, enums and constants keep their generated value.
 */
const FRESH_FORMATS = new Set([undefined, 'email', 'idn-email', 'uuid', 'hostname']);
const WRITES = new Set(['post', 'put', 'patch']);

export function uniqueRule(schema: SchemaObject): UniqueRule | undefined {
  if (!schemaTypes(schema).includes('string') || schema.enum !== undefined || schema.const !== undefined) return undefined;
  const format = typeof schema.format === 'string' ? schema.format : undefined;
  if (!FRESH_FORMATS.has(format)) return undefined;
  return { ...(typeof schema.pattern === 'string' ? { pattern: schema.pattern } : {}), ...(format ? { format } : {}) };
}

function markRequest(request: TestRequest, schema: SchemaObject | undefined, skip?: string): void {
  const body = request.body;
  if (!schema || typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const unique: Record<string, UniqueRule> = {};
  for (const [name, property] of objectShape(schema)?.properties ?? []) {
    const value = (body as Record<string, unknown>)[name];
    const rule = typeof value === 'string' && value.length > 0 && name !== skip ? uniqueRule(property) : undefined;
    if (rule) unique[`/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`] = rule;
  }
  // Rules a case set itself (e.g. an id nobody made) stay.
  if (Object.keys(unique).length) request.unique = { ...unique, ...request.unique };
}

/** The body field a case varies on purpose, which keeps exactly the value the case chose. */
function variedBodyField(testCase: PlannedCase): string | undefined {
  const rest = testCase.id.slice(testCase.operationId.length + 1).split('/').slice(1).join('/');
  return /^body\.([^.]+)/.exec(rest)?.[1];
}

export function markUniqueFields(plans: OperationPlan[]): void {
  const byId = new Map(plans.map((plan) => [plan.operation.operationId, plan]));
  for (const plan of plans) {
    for (const testCase of plan.cases) {
      // A value at a length limit is varied too (same length and class): the create it makes must not collide on the next run.
      const skip = testCase.kind === 'at-boundary' ? undefined : variedBodyField(testCase);
      const requests = testCase.steps ? testCase.steps.map((step) => ({ step, request: step.request })) : [{ step: testCase, request: testCase.request }];
      for (const { step, request } of requests) {
        if (!WRITES.has(step.method)) continue;
        markRequest(request, byId.get(step.operationId)?.operation.requestBody?.schema, step.operationId === testCase.operationId ? skip : undefined);
      }
    }
  }
}
