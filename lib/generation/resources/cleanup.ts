import type { PlannedCase } from '../case-draft';
import type { OperationPlan } from '../operation-plan';
import type { StepCleanup, TestStep } from '../types';
import { happyOf, happySteps, stepsOf } from './happy';
import { collectionPathOf } from './names';
import { pathParameterProducer } from './producers';

/**
 * Clean up where the API documents a delete: every step that creates a resource the spec lets a
 * client DELETE (`POST /owners/{ownerId}/pets` → `DELETE /owners/{ownerId}/pets/{petId}`) carries
 * that request, and the generated test sends it after the test, newest first, whatever the outcome.
 * The run leaves the API as it found it, and lists, filters and unique values are not crowded by
 * what earlier runs made.
 */

/** The POST path's documented DELETE, with where the created id is in the POST's answer. */
function deleteOf(plans: OperationPlan[], creator: OperationPlan): { plan: OperationPlan; idParameter: string; pointer: string } | undefined {
  for (const plan of plans) {
    if (plan.operation.method !== 'delete' || !happyOf(plan)) continue;
    const idParameter = /\{([^}]+)\}$/.exec(plan.operation.path)?.[1];
    if (!idParameter || collectionPathOf(plan.operation.path, idParameter) !== creator.operation.path) continue;
    const producer = pathParameterProducer(plans, plan.operation.path, idParameter);
    if (producer?.plan === creator && producer.kind === 'create') return { plan, idParameter, pointer: producer.pointer };
  }
  return undefined;
}

/** A POST a case sends that may succeed, so create a resource (not one it provokes a 4xx with). */
const creates = (step: TestStep) => step.method === 'post' && step.expectedStatus.split('|').some((status) => /^2/.test(status));

/** Whether a later step of the case deletes what `step` created (its captured id bound to the DELETE's id). */
function deletedByTheCase(steps: TestStep[], step: TestStep, idParameter: string): boolean {
  const captured = new Set(Object.keys(step.capture ?? {}));
  return steps.some((other) => other.method === 'delete' && captured.has(other.bind?.[idParameter] ?? ''));
}

function cleanupFor(plans: OperationPlan[], byId: Map<string, OperationPlan>, steps: TestStep[], step: TestStep): StepCleanup | undefined {
  const creator = byId.get(step.operationId);
  const remover = creator && creates(step) ? deleteOf(plans, creator) : undefined;
  if (!remover || deletedByTheCase(steps, step, remover.idParameter)) return undefined;
  const { own } = happySteps(happyOf(remover.plan)!, 'cleanup');
  // The parents are the creating step's own path parameters: the DELETE's path extends the POST's.
  const pathParams = Object.fromEntries(Object.entries(step.request.pathParams).filter(([name]) => name !== remover.idParameter));
  return {
    operationId: remover.plan.operation.operationId,
    path: remover.plan.operation.path,
    request: { pathParams, query: own.request.query, headers: own.request.headers, body: own.request.body, auth: own.request.auth },
    ...(step.bind ? { bind: { ...step.bind } } : {}),
    idParameter: remover.idParameter,
    pointer: remover.pointer,
  };
}

function withCleanup(plans: OperationPlan[], byId: Map<string, OperationPlan>, testCase: PlannedCase): PlannedCase {
  const steps = stepsOf(testCase);
  let changed = false;
  const cleaned = steps.map((step) => {
    const cleanup = cleanupFor(plans, byId, steps, step);
    if (!cleanup) return step;
    changed = true;
    return { ...step, cleanup };
  });
  return changed ? { ...testCase, steps: cleaned } : testCase;
}

/** Every creating step of every case gets the DELETE that removes what it made, where one is documented. */
export function addResourceCleanup(plans: OperationPlan[]): void {
  const byId = new Map(plans.map((plan) => [plan.operation.operationId, plan]));
  for (const plan of plans) plan.cases = plan.cases.map((testCase) => withCleanup(plans, byId, testCase));
}
