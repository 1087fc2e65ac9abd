import type { PlannedCase } from '../case-draft';
import type { OperationPlan } from '../operation-plan';
import type { TestStep } from '../types';

/** The operation's happy path, when it has one and the operation is not skipped. */
export function happyOf(plan: OperationPlan): PlannedCase | undefined {
  const first = plan.cases[0];
  return first?.kind === 'happy-path' && !plan.skipReason ? first : undefined;
}

/** The happy path as steps: the ones before its own (all setup here), then its own step (named `name`). */
export function happySteps(happy: PlannedCase, name: string): { setup: TestStep[]; own: TestStep } {
  if (happy.steps) {
    const own = structuredClone(happy.steps[happy.steps.length - 1]);
    return { setup: structuredClone(happy.steps.slice(0, -1)).map((step) => ({ ...step, setup: true })), own: { ...own, name } };
  }
  const own: TestStep = {
    name, operationId: happy.operationId, method: happy.method, path: happy.path, request: structuredClone(happy.request), expectedStatus: happy.expectedStatus,
  };
  return { setup: [], own };
}

/** A case of `happy`'s operation made of `steps`; its request and status are those of the last step. */
export function derivedCase(happy: PlannedCase, id: string, title: string, steps: TestStep[], kind: PlannedCase['kind']): PlannedCase {
  const own = steps[steps.length - 1];
  return { id: `${happy.operationId}/${id}`, operationId: happy.operationId, method: happy.method, path: happy.path, kind, title, request: own.request, expectedStatus: own.expectedStatus, steps };
}
