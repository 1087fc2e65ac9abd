import type { PlannedCase } from '../case-draft';
import type { OperationPlan } from '../operation-plan';
import type { TestStep } from '../types';

/** The operation's happy path, when it has one and the operation is not skipped. */
export function happyOf(plan: OperationPlan): PlannedCase | undefined {
  const first = plan.cases[0];
  return first?.kind === 'happy-path' && !plan.skipReason ? first : undefined;
}

/** A case's requests as steps: its own, or its single request as one step named `response` (not copied). */
export function stepsOf(testCase: Pick<PlannedCase, 'steps' | 'operationId' | 'method' | 'path' | 'request' | 'expectedStatus'>): TestStep[] {
  return testCase.steps ?? [
    { name: 'response', operationId: testCase.operationId, method: testCase.method, path: testCase.path, request: testCase.request, expectedStatus: testCase.expectedStatus },
  ];
}

/** The happy path as steps: the ones before its own (all setup here), then its own step (named `name`). */
export function happySteps(happy: PlannedCase, name: string): { setup: TestStep[]; own: TestStep } {
  if (happy.steps) {
    const own = structuredClone(happy.steps[happy.steps.length - 1]);
    return { setup: structuredClone(happy.steps.slice(0, -1)).map((step) => ({ ...step, setup: true })), own: { ...own, name } };
  }
  return { setup: [], own: { ...structuredClone(stepsOf(happy)[0]), name } };
}

/** A case of `happy`'s operation made of `steps`; its request and status are those of the last step. */
export function derivedCase(happy: PlannedCase, id: string, title: string, steps: TestStep[], kind: PlannedCase['kind']): PlannedCase {
  const own = steps[steps.length - 1];
  return { id: `${happy.operationId}/${id}`, operationId: happy.operationId, method: happy.method, path: happy.path, kind, title, request: own.request, expectedStatus: own.expectedStatus, steps };
}

export const pointerOf = (name: string) => `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** Only the named fields of a step's body (with their bindings and run-time variations). */
export function withBodyFields(step: TestStep, fields: string[], values: Record<string, unknown> = {}): TestStep {
  const body = step.request.body as Record<string, unknown>;
  const kept = (record: Record<string, unknown> | undefined) => {
    const entries = Object.entries(record ?? {}).filter(([pointer]) => fields.some((field) => pointerOf(field) === pointer) && !(pointer.slice(1) in values));
    return entries.length ? Object.fromEntries(entries) : undefined;
  };
  const request = { ...step.request, body: { ...Object.fromEntries(fields.filter((field) => field in body).map((field) => [field, body[field]])), ...values } };
  const unique = kept(step.request.unique) as typeof request.unique;
  if (unique) request.unique = unique;
  else delete request.unique;
  const bindBody = kept(step.bindBody) as Record<string, string> | undefined;
  const { bindBody: _dropped, capture: _capture, ...rest } = step;
  return { ...rest, request, ...(bindBody ? { bindBody } : {}) };
}
