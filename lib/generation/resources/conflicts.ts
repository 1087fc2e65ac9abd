import { objectShape, type SchemaObject } from '../../openapi';
import type { PlannedCase } from '../case-draft';
import type { OperationPlan } from '../operation-plan';
import type { TestStep } from '../types';
import { variableName } from '../variables';
import { literalSegments } from './names';
import { pathParameterProducer, referenceProducer } from './producers';
import { uniqueRule } from './unique';
import { derivedCase, happyOf, happySteps } from './happy';

/**
 * State conflicts the spec documents, provoked on resources the test makes (after addResourceSetup,
 * so happy paths already create what they need):
 * - a create whose documented 409 is about a value already taken, sent twice with the same values
 *   (those varied per run are taken back from the first answer) → 409;
 * - an action on a resource (`POST /orders/{id}/cancel`) documenting 409, done twice → 409;
 * - a delete documenting 409 on a resource another one refers to → 409;
 * - a body field naming another resource (`patientId`) set to one that does not exist, where the
 *   operation documents 404, 409 or 422 → 4xx.
 * Each earlier step is a setup step: when one fails, the conflict was never reached.
 */

const DANGLING_STATUSES = new Set(['404', '409', '422']);
/** A create's 409 that is about a value already taken, not another state ("not enough stock"). */
const DUPLICATE = /already|exist|duplicate|unique|taken|in use/i;
const UNKNOWN_INTEGER_ID = 999999999;

function documents(plan: OperationPlan, status: string): boolean {
  return plan.operation.responses.some((response) => response.status === status);
}

function conflictDescription(plan: OperationPlan): string {
  return plan.operation.responses.find((response) => response.status === '409')?.description ?? '';
}

/** A path others extend with an id (`/projects/{projectId}/issues` of `…/issues/{issueKey}`): a collection, not an action. */
function isCollection(plans: OperationPlan[], path: string): boolean {
  return plans.some((plan) => plan.operation.path.startsWith(`${path}/{`));
}

const successSchema = (plan: OperationPlan) => plan.operation.responses.find((response) => response.status === plan.successStatus)?.schema;

/** POST on a collection, twice with the same body. Values varied per run are read back from the first answer, so both requests carry the same. */
function duplicateCreate(plans: OperationPlan[], plan: OperationPlan, happy: PlannedCase): PlannedCase | undefined {
  const { operation } = plan;
  const collection = !/\}$/.test(operation.path) && (isCollection(plans, operation.path) || !/\}\/[^{}/]+$/.test(operation.path));
  if (operation.method !== 'post' || !collection || !DUPLICATE.test(conflictDescription(plan))) return undefined;
  const { setup, own } = happySteps(happy, 'first');
  const body = own.request.body;
  const schema = operation.requestBody?.schema;
  if (!schema || typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const echoed = new Set((objectShape(successSchema(plan) ?? {})?.properties ?? []).map(([name]) => name));
  const capture: Record<string, string> = {};
  const bindBody: Record<string, string> = { ...own.bindBody };
  for (const [name, property] of objectShape(schema)?.properties ?? []) {
    const value = (body as Record<string, unknown>)[name];
    if (typeof value !== 'string' || !value || bindBody[`/${name}`] || !uniqueRule(property)) continue;
    // A value varied per run that the answer does not carry back cannot be sent again.
    if (!echoed.has(name)) return undefined;
    const variable = variableName(`first_${name}`);
    capture[variable] = `/${name}`;
    bindBody[`/${name}`] = variable;
  }
  const first: TestStep = { ...own, setup: true, ...(Object.keys(capture).length ? { capture: { ...own.capture, ...capture } } : {}) };
  const { capture: _ignored, ...repeated } = structuredClone(own);
  const again: TestStep = { ...repeated, name: 'response', expectedStatus: '409', bindBody };
  return derivedCase(happy, 'conflict/duplicate', 'answers 409 to a second create with the same values', [...setup, first, again], 'conflict');
}

/** An action on an existing resource (`POST /orders/{id}/cancel`), done twice. */
function actionTwice(plans: OperationPlan[], plan: OperationPlan, happy: PlannedCase): PlannedCase | undefined {
  const { operation } = plan;
  const action = /\}\/[^{}/]+$/.test(operation.path) && !isCollection(plans, operation.path);
  if (operation.method !== 'post' || !action || !documents(plan, '409') || !happy.steps) return undefined;
  const { setup, own } = happySteps(happy, 'first');
  const first: TestStep = { ...own, setup: true };
  const again: TestStep = { ...structuredClone(own), name: 'response', expectedStatus: '409' };
  const verb = literalSegments(operation.path).pop();
  return derivedCase(happy, 'conflict/twice', `answers 409 to ${verb} done twice on the same resource`, [...setup, first, again], 'conflict');
}

/** A delete of a resource another one was created to refer to. */
function deleteWithDependents(plans: OperationPlan[], plan: OperationPlan, happy: PlannedCase): PlannedCase | undefined {
  const { operation } = plan;
  const params = operation.parameters.filter((parameter) => parameter.in === 'path');
  if (operation.method !== 'delete' || !documents(plan, '409') || params.length !== 1) return undefined;
  const parent = pathParameterProducer(plans, operation.path, params[0].name);
  if (!parent || parent.kind !== 'create') return undefined;
  for (const child of plans) {
    const childHappy = happyOf(child);
    if (child === parent.plan || child.operation.method !== 'post' || !childHappy?.steps) continue;
    const { setup, own } = happySteps(childHappy, variableName(`dependent_${literalSegments(child.operation.path).pop() ?? 'resource'}`));
    const parentStep = setup.find((step) => step.operationId === parent.plan.operation.operationId);
    const variable = Object.entries(parentStep?.capture ?? {}).find(([, pointer]) => pointer === parent.pointer)?.[0];
    const refersToParent = Object.values(own.bindBody ?? {}).includes(variable ?? '') || Object.values(own.bind ?? {}).includes(variable ?? '');
    if (!variable || !refersToParent) continue;
    const { own: deletion } = happySteps(happy, 'response');
    delete deletion.request.pathParams[params[0].name];
    const remove: TestStep = { ...deletion, bind: { [params[0].name]: variable }, expectedStatus: '409' };
    return derivedCase(happy, 'conflict/dependents', `answers 409 when a ${child.operation.operationId} result still refers to the resource`, [
      ...setup, { ...own, setup: true }, remove,
    ], 'conflict');
  }
  return undefined;
}

function unknownReference(property: SchemaObject, sample: unknown): { value: unknown; unique?: { pattern?: string; format?: string } } | undefined {
  if (typeof sample === 'number') return { value: UNKNOWN_INTEGER_ID };
  if (typeof sample !== 'string' || !sample) return undefined;
  // Varied at run time like a unique value: same pattern and length, an id nobody made.
  return { value: sample, unique: uniqueRule(property) ?? {} };
}

/** Each body field bound to a resource the test made, set instead to one that does not exist. */
function danglingReferences(plans: OperationPlan[], plan: OperationPlan, happy: PlannedCase): PlannedCase[] {
  const { operation } = plan;
  if (!['post', 'put', 'patch'].includes(operation.method) || ![...DANGLING_STATUSES].some((status) => documents(plan, status))) return [];
  const schema = operation.requestBody?.schema;
  const { setup, own } = happySteps(happy, 'response');
  const cases: PlannedCase[] = [];
  for (const [name, property] of objectShape(schema ?? {})?.properties ?? []) {
    const bound = own.bindBody?.[`/${name}`];
    const producer = bound ? referenceProducer(plans, name, property) : undefined;
    const unknown = producer ? unknownReference(property, (own.request.body as Record<string, unknown>)[name]) : undefined;
    if (!bound || !unknown) continue;
    const step = structuredClone(own);
    delete step.bindBody![`/${name}`];
    step.request.body = { ...(step.request.body as Record<string, unknown>), [name]: unknown.value };
    if (unknown.unique) step.request.unique = { ...step.request.unique, [`/${name}`]: unknown.unique };
    step.expectedStatus = '4XX';
    const article = /^[aeiou]/.test(producer!.resource) ? 'an' : 'a';
    const title = `rejects field "${name}" naming ${article} ${producer!.resource} that does not exist with 4xx`;
    cases.push(derivedCase(happy, `dangling-reference/body.${name}`, title, [...setup, step], 'dangling-reference'));
  }
  return cases;
}

/** Adds the conflict and dangling-reference cases each operation's documented statuses call for. */
export function addConflictCases(plans: OperationPlan[]): void {
  for (const plan of plans) {
    const happy = happyOf(plan);
    if (!happy) continue;
    const added = [
      duplicateCreate(plans, plan, happy), actionTwice(plans, plan, happy), deleteWithDependents(plans, plan, happy), ...danglingReferences(plans, plan, happy),
    ];
    for (const testCase of added) {
      if (!testCase) continue;
      // A case of one step has no steps: its request is the case's own.
      plan.cases.push(testCase.steps?.length === 1 ? { ...testCase, steps: undefined } : testCase);
    }
  }
}
