import { objectShape } from '../../openapi';
import type { OperationPlan } from '../operation-plan';
import { derivedCase, happyOf, happySteps, withBodyFields } from './happy';

/**
 * A create or update with only the required body fields: the optional ones are where an API most
 * often mishandles absence (a list stored as null, a default never applied), and its answer is
 * checked against the whole documented schema like the happy path's.
 */
// Not PATCH: a partial update sends what it changes, and the behaviour cases send one field alone.
const WRITES = new Set(['post', 'put']);

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
    const step = withBodyFields(own, shape.required);
    const testCase = derivedCase(happy, 'required-only', `accepts a request with only the required fields (without ${optional.map((name) => `"${name}"`).join(', ')})`, [...setup, step], 'required-only');
    plan.cases.push(setup.length ? testCase : { ...testCase, steps: undefined });
  }
}
