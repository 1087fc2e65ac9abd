import { objectShape } from '../../openapi';
import type { OperationPlan } from '../operation-plan';
import type { TestStep } from '../types';
import { derivedCase, happyOf, happySteps } from './happy';

/**
 * A create or update with only the required body fields: the optional ones are where an API most
 * often mishandles absence (a list stored as null, a default never applied), and its answer is
 * checked against the whole documented schema like the happy path's.
 */
// Not PATCH: a partial update sends what it changes, and the behaviour cases send one field alone.
const WRITES = new Set(['post', 'put']);

const pointerOf = (name: string) => `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;

function withRequiredOnly(step: TestStep, required: string[]): TestStep {
  const body = step.request.body as Record<string, unknown>;
  const keep = <T>(record: Record<string, T> | undefined) => {
    const entries = Object.entries(record ?? {}).filter(([pointer]) => required.some((name) => pointerOf(name) === pointer));
    return entries.length ? Object.fromEntries(entries) : undefined;
  };
  const { bindBody: _bindBody, ...rest } = step;
  const request = { ...step.request, body: Object.fromEntries(required.filter((name) => name in body).map((name) => [name, body[name]])) };
  const unique = keep(step.request.unique);
  if (unique) request.unique = unique;
  else delete request.unique;
  const bindBody = keep(step.bindBody);
  return { ...rest, request, ...(bindBody ? { bindBody } : {}) };
}

export function addRequiredOnlyCases(plans: OperationPlan[]): void {
  for (const plan of plans) {
    const happy = happyOf(plan);
    const shape = plan.operation.requestBody ? objectShape(plan.operation.requestBody.schema) : undefined;
    if (!happy || !shape || !WRITES.has(plan.operation.method)) continue;
    const { setup, own } = happySteps(happy, 'response');
    const body = own.request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) continue;
    const optional = Object.keys(body).filter((name) => !shape.required.includes(name));
    if (!optional.length) continue;
    const step = withRequiredOnly(own, shape.required);
    const testCase = derivedCase(happy, 'required-only', `accepts a request with only the required fields (without ${optional.map((name) => `"${name}"`).join(', ')})`, [...setup, step], 'required-only');
    plan.cases.push(setup.length ? testCase : { ...testCase, steps: undefined });
  }
}
