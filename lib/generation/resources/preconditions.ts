import type { OperationPlan } from '../operation-plan';
import type { TestStep } from '../types';
import { variableName } from '../variables';

/**
 * Actions that undo another (`/issues/{key}/reopen` after `/close`, `unarchive` after `archive`)
 * only succeed on a resource the other one was applied to: their cases on a created resource do
 * that action first, as a setup step.
 */

/** Undo verbs whose name does not spell the verb they undo. */
const UNDOES: Record<string, string[]> = {
  reopen: ['close'],
  resume: ['pause', 'suspend'],
  restore: ['archive', 'trash'],
  reactivate: ['deactivate'],
};

/** `/things/{id}/close` → `{ item: '/things/{id}', verb: 'close' }` for a POST action on an item. */
function actionOf(plan: OperationPlan): { item: string; verb: string } | undefined {
  if (plan.operation.method !== 'post') return undefined;
  const match = /^(.*\})\/([A-Za-z][\w-]*)$/.exec(plan.operation.path);
  return match ? { item: match[1], verb: match[2].toLowerCase() } : undefined;
}

function undoneVerbs(verb: string): string[] {
  const prefixed = /^(un|re)(.+)$/.exec(verb)?.[2];
  return [...(UNDOES[verb] ?? []), ...(prefixed ? [prefixed.replace(/^-/, '')] : [])];
}

function happyRequest(plan: OperationPlan) {
  const happy = plan.cases[0];
  if (happy?.kind !== 'happy-path' || plan.skipReason) return undefined;
  return structuredClone(happy.steps ? happy.steps[happy.steps.length - 1].request : happy.request);
}

export function addActionPreconditions(plans: OperationPlan[]): void {
  const actions = plans.flatMap((plan) => {
    const action = actionOf(plan);
    return action ? [{ plan, ...action }] : [];
  });
  for (const undo of actions) {
    const verbs = undoneVerbs(undo.verb);
    const done = actions.find((other) => other !== undo && other.item === undo.item && verbs.includes(other.verb));
    const request = done && happyRequest(done.plan);
    if (!done || !request) continue;
    const params = [...undo.item.matchAll(/\{([^}]+)\}/g)].map(([, name]) => name);
    undo.plan.cases = undo.plan.cases.map((testCase) => {
      const at = testCase.steps?.findIndex((step) => step.operationId === undo.plan.operation.operationId) ?? -1;
      const own = at >= 0 ? testCase.steps![at] : undefined;
      // Only a case acting on a resource it made: every path parameter bound to a created id.
      if (!own || !params.every((name) => own.bind?.[name])) return testCase;
      for (const name of params) delete request.pathParams[name];
      const before: TestStep = {
        name: variableName(`${done.verb}_first`),
        operationId: done.plan.operation.operationId,
        method: 'post',
        path: done.plan.operation.path,
        request: structuredClone(request),
        bind: { ...own.bind },
        expectedStatus: done.plan.successStatus,
        setup: true,
      };
      return { ...testCase, steps: [...testCase.steps!.slice(0, at), before, ...testCase.steps!.slice(at)] };
    });
  }
}
