import { objectShape, type Operation, type OperationLink } from '../openapi';
import type { PlannedCase } from './case-draft';
import type { OperationPlan } from './operation-plan';
import type { TestStep } from './types';
import { variableName } from './variables';

function happyCase(plan: OperationPlan | undefined): PlannedCase | undefined {
  const first = plan?.cases[0];
  return first?.kind === 'happy-path' && !first.steps ? first : undefined;
}

function step(name: string, plan: OperationPlan, expectedStatus = plan.successStatus): TestStep {
  const { operation } = plan;
  const happy = happyCase(plan);
  if (!happy) throw new Error(`no happy path for ${operation.operationId}`);
  return { name, operationId: operation.operationId, method: operation.method, path: operation.path, request: structuredClone(happy.request), expectedStatus };
}

/** Binds `param` to `variable` and takes the create's values for the path parameters both paths share. */
function boundStep(base: TestStep, create: TestStep, param: string, variable: string): TestStep {
  const request = base.request;
  delete request.pathParams[param];
  for (const [name, value] of Object.entries(create.request.pathParams)) if (name in request.pathParams) request.pathParams[name] = value;
  return { ...base, bind: { [param]: variable } };
}

function responseBodyPointer(expression: unknown): string | undefined {
  const match = typeof expression === 'string' ? /^\$response\.body#(\/.*)?$/.exec(expression) : null;
  return match ? (match[1] ?? '') : undefined;
}

function successLinks(plan: OperationPlan): OperationLink[] {
  const success = plan.operation.responses.find((response) => response.status === plan.successStatus);
  return success?.links ?? [];
}

/** Where the created resource's id is in the create response: a declared link first, else `/<param>` or `/id`. */
function idPointer(create: OperationPlan, itemPlans: OperationPlan[], param: string): string | undefined {
  const itemIds = new Set(itemPlans.map((plan) => plan.operation.operationId));
  for (const link of successLinks(create)) {
    const pointer = responseBodyPointer(link.parameters[param]);
    if (itemIds.has(link.operationId) && pointer !== undefined) return pointer;
  }
  const response = create.operation.responses.find((r) => r.status === create.successStatus);
  const shape = response?.schema ? objectShape(response.schema) : undefined;
  const names = new Set((shape?.properties ?? []).map(([name]) => name));
  if (names.has(param)) return `/${param.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  if (names.has('id')) return '/id';
  return undefined;
}

const ITEM_METHODS: Operation['method'][] = ['get', 'put', 'patch', 'delete'];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Inferred CRUD: a POST on `/things` whose response carries the new id, and operations on
 * `/things/{id}`. Adds create → read → update → delete → read (404) to the create, and makes the
 * happy paths of PUT/PATCH/DELETE, and of actions on the item (`POST /things/{id}/cancel`), work
 * on a resource they created instead of a spec example.
 */
function addCrudSequences(plans: OperationPlan[], notes: Map<OperationPlan, string[]>): void {
  for (const create of plans) {
    const { operation } = create;
    if (operation.method !== 'post' || !happyCase(create)) continue;
    const itemPattern = new RegExp(`^${escapeRegExp(operation.path)}/\\{([^}/]+)\\}$`);
    const items = plans.filter((plan) => itemPattern.test(plan.operation.path) && ITEM_METHODS.includes(plan.operation.method) && happyCase(plan));
    if (!items.length) continue;
    const param = itemPattern.exec(items[0].operation.path)?.[1] ?? 'id';
    const pointer = idPointer(create, items, param);
    if (pointer === undefined) {
      notes.get(create)?.push(`no CRUD sequence: the ${create.successStatus} response documents no "${param}" or "id" property to read the created id from`);
      continue;
    }
    const find = (method: Operation['method']) => items.find((plan) => plan.operation.method === method);
    const variable = variableName(param);
    const created: TestStep = { ...step('created', create), capture: { [variable]: pointer } };
    const read = find('get');
    const update = find('put') ?? find('patch');
    const remove = find('delete');
    const steps: TestStep[] = [created];
    if (read) steps.push(boundStep(step('read', read), created, param, variable));
    if (update) steps.push(boundStep(step('updated', update), created, param, variable));
    if (remove) {
      steps.push(boundStep(step('deleted', remove), created, param, variable));
      if (read) {
        const gone = read.operation.responses.some((r) => r.status === '404') ? '404' : '4XX';
        steps.push(boundStep(step('gone', read, gone), created, param, variable));
      }
    }
    const verbs = steps.slice(1).map((s) => ({ read: 'reads', updated: 'updates', deleted: 'deletes', gone: 'reads again' })[s.name as 'read']);
    const last = steps[steps.length - 1];
    create.cases.push({
      id: `${operation.operationId}/crud-sequence`,
      operationId: operation.operationId,
      method: operation.method,
      path: operation.path,
      kind: 'crud-sequence',
      title: `creates a resource, then ${verbs.join(', ')}${last.name === 'gone' ? ` (${last.expectedStatus === '404' ? '404' : '4xx'})` : ''} it by ${param}`,
      request: created.request,
      expectedStatus: created.expectedStatus,
      steps,
    });
    // Actions on the item (`POST /orders/{id}/cancel`) change it too: on a spec example they would
    // change shared data, so a second run of the suite would see it changed (a flaky test).
    const actionPattern = new RegExp(`^${escapeRegExp(operation.path)}/\\{${escapeRegExp(param)}\\}/[^{}/]+$`);
    const actions = plans.filter((plan) => actionPattern.test(plan.operation.path) && plan.operation.method !== 'get');
    for (const destructive of [update, remove, ...actions]) {
      const happy = destructive && happyCase(destructive);
      if (!destructive || !happy || happy.steps) continue;
      const own = boundStep(step('response', destructive), created, param, variable);
      happy.title = `${happy.title} on a resource created by ${operation.operationId}`;
      happy.steps = [created, own];
      happy.request = own.request;
    }
  }
}

/** One case per OpenAPI link on a success response: the source request, then the target with values read from it. */
function addLinkSequences(plans: OperationPlan[], notes: Map<OperationPlan, string[]>): void {
  const byId = new Map(plans.map((plan) => [plan.operation.operationId, plan]));
  for (const source of plans) {
    if (!happyCase(source)) continue;
    for (const link of successLinks(source)) {
      const target = byId.get(link.operationId);
      const why = (reason: string) => notes.get(source)?.push(`link "${link.name}" not followed: ${reason}`);
      if (!target || !happyCase(target)) {
        const first = target?.cases[0];
        const bound = first?.kind === 'happy-path' && first.steps?.length ? first.steps[0].operationId : undefined;
        why(!target ? `no operation "${link.operationId}"`
          : bound ? `${link.operationId}'s happy path already runs on a resource ${bound} created`
          : `${link.operationId} has no generated happy path`);
        continue;
      }
      const sourceStep: TestStep = step('source', source);
      const targetStep: TestStep = step('target', target);
      const capture: Record<string, string> = {};
      const bind: Record<string, string> = {};
      let unsupported: string | undefined;
      for (const [name, expression] of Object.entries(link.parameters)) {
        const pathParameter = target.operation.parameters.find((p) => p.in === 'path' && p.name === name.replace(/^path\./, ''));
        const pointer = responseBodyPointer(expression);
        const requestPath = typeof expression === 'string' ? /^\$request\.path\.(.+)$/.exec(expression)?.[1] : undefined;
        if (pointer !== undefined && pathParameter) {
          const variable = variableName(pathParameter.name);
          capture[variable] = pointer;
          bind[pathParameter.name] = variable;
          delete targetStep.request.pathParams[pathParameter.name];
        } else if (requestPath !== undefined && pathParameter && requestPath in sourceStep.request.pathParams) {
          targetStep.request.pathParams[pathParameter.name] = sourceStep.request.pathParams[requestPath];
        } else {
          unsupported = `parameter "${name}" = ${JSON.stringify(expression)} (only response-body values and request path values for path parameters are followed)`;
        }
      }
      if (unsupported) {
        why(unsupported);
        continue;
      }
      source.cases.push({
        id: `${source.operation.operationId}/link-sequence/${link.name}`,
        operationId: source.operation.operationId,
        method: source.operation.method,
        path: source.operation.path,
        kind: 'link-sequence',
        title: `follows link "${link.name}" to ${target.operation.operationId} with values from the response`,
        request: sourceStep.request,
        expectedStatus: sourceStep.expectedStatus,
        steps: [{ ...sourceStep, ...(Object.keys(capture).length ? { capture } : {}) }, { ...targetStep, ...(Object.keys(bind).length ? { bind } : {}) }],
      });
    }
  }
}

/** Cases that span operations; notes explain the sequences that could not be built. */
export function addSequences(plans: OperationPlan[]): void {
  const notes = new Map(plans.map((plan) => [plan, plan.notes]));
  addCrudSequences(plans, notes);
  addLinkSequences(plans, notes);
}
