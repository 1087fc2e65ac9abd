import { asSchema, objectShape, schemaTypes, type OperationParameter, type SchemaObject } from '../../openapi';
import type { PlannedCase } from '../case-draft';
import type { OperationPlan } from '../operation-plan';
import type { QueryValue, ScalarValue, StepCheck, TestStep } from '../types';
import { derivedCase, happyOf, happySteps, pointerOf, withBodyFields } from './happy';
import { normalized } from './names';
import { listedItems } from './producers';

/**
 * Behaviour an API of a given shape promises, checked on resources the test makes (after
 * addResourceSetup, so happy paths already create what they need):
 * - a PATCH keeps the fields it did not send (a partial update, RFC 5789), and a nullable field
 *   sent as null is cleared;
 * - a list filtered by an enum or boolean query parameter that names a property of its items
 *   returns only items with that value (one item with another value is created to tell);
 * - pages of a list (limit with offset, page or a cursor the answer hands back) are consecutive
 *   slices of one larger page: nothing skipped, nothing repeated.
 */

const MAX_CLEARED_FIELDS = 3;
const LIMIT_NAMES = new Set(['limit', 'pagesize', 'perpage', 'size', 'pagelimit', 'maxresults', 'count', 'top']);
const OFFSET_NAMES = new Set(['offset', 'skip', 'start']);
const PAGE_NAMES = new Set(['page', 'pagenumber', 'pageindex', 'pageno']);
const CURSOR_NAMES = new Set(['cursor', 'after', 'pagetoken', 'starting_after', 'startingafter', 'continuation', 'continuationtoken', 'marker']);
const NEXT_NAMES = new Set(['next', 'nextcursor', 'cursor', 'nextpagetoken', 'nexttoken', 'continuation', 'continuationtoken', 'nextmarker']);
const ID_NAMES = ['id', 'key', 'uuid', 'code', 'number'];
/** Items on the larger page the pages are compared with. */
const FULL_PAGE = 3;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const successSchema = (plan: OperationPlan) => plan.operation.responses.find((response) => response.status === plan.successStatus)?.schema;
const propertiesOf = (schema: SchemaObject | undefined) => new Map(schema ? objectShape(schema)?.properties ?? [] : []);

function isNullable(schema: SchemaObject): boolean {
  if (schema.nullable === true || schema['x-nullable'] === true || schemaTypes(schema).includes('null')) return true;
  const branches = (schema.oneOf ?? schema.anyOf) as unknown[] | undefined;
  return Array.isArray(branches) && branches.some((branch) => schemaTypes(asSchema(branch)).includes('null'));
}

/** The GET of the same item, on the same path parameters as `step`, with `checks`. */
function readStep(read: OperationPlan, step: TestStep, checks: StepCheck[]): TestStep | undefined {
  const happy = happyOf(read);
  if (!happy) return undefined;
  const { own } = happySteps(happy, 'read_back');
  return {
    ...own,
    request: { ...own.request, pathParams: { ...step.request.pathParams }, body: undefined, ...(step.request.unique ? { unique: pathUnique(step) } : {}) },
    ...(step.bind ? { bind: { ...step.bind } } : {}),
    expectedStatus: read.successStatus,
    checks,
    bindBody: undefined,
    setup: undefined,
  };
}

function pathUnique(step: TestStep) {
  return Object.fromEntries(Object.entries(step.request.unique ?? {}).filter(([key]) => key.startsWith('path:')));
}

/** The step before `own` that created the item `own` works on (its last path parameter is bound to what that step captured). */
function creatorOf(setup: TestStep[], own: TestStep, plan: OperationPlan): TestStep | undefined {
  const params = plan.operation.parameters.filter((parameter) => parameter.in === 'path');
  const variable = params.length ? own.bind?.[params[params.length - 1].name] : undefined;
  return variable ? setup.find((step) => step.method === 'post' && step.capture && variable in step.capture) : undefined;
}

/** A field worth changing alone: a plain string first (a title, a note), else any field not naming another resource. */
function fieldToChange(shape: [string, SchemaObject][], body: Record<string, unknown>, own: TestStep): string | undefined {
  const candidates = shape.filter(([name, schema]) => name in body && body[name] !== null && !own.bindBody?.[pointerOf(name)] && schema.readOnly !== true);
  const plain = candidates.find(([, schema]) => schemaTypes(schema).includes('string') && schema.enum === undefined && schema.format === undefined);
  return (plain ?? candidates[0])?.[0];
}

/** PATCH one field, read the item back: every field the create sent (and answered) is as it was. */
function keepsOmittedFields(plans: OperationPlan[], plan: OperationPlan, happy: PlannedCase, read: OperationPlan): PlannedCase | undefined {
  const { setup, own } = happySteps(happy, 'patched');
  const body = own.request.body;
  const shape = objectShape(plan.operation.requestBody?.schema ?? {});
  const creator = creatorOf(setup, own, plan);
  if (!shape || !isObject(body) || !creator || !isObject(creator.request.body)) return undefined;
  const changed = fieldToChange(shape.properties, body, own);
  if (!changed) return undefined;
  const sent = [...new Set([...shape.required, changed])];
  const readable = propertiesOf(successSchema(read));
  const creatorPlan = plans.find((other) => other.operation.operationId === creator.operationId);
  const answered = propertiesOf(creatorPlan && successSchema(creatorPlan));
  const kept = Object.keys(creator.request.body).filter((name) => {
    const property = readable.get(name);
    return !sent.includes(name) && property && property.readOnly !== true && property.writeOnly !== true && answered.has(name);
  });
  if (!kept.length) return undefined;
  // Sent alone, the change may be refused by an API that wants more: that is a precondition failing, not this check.
  const patched: TestStep = { ...withBodyFields(own, sent), setup: true };
  const check = readStep(read, patched, kept.map((name): StepCheck => ({ kind: 'same-as', pointer: pointerOf(name), step: creator.name })));
  if (!check) return undefined;
  const title = `keeps ${kept.map((name) => `"${name}"`).join(', ')} when only "${changed}" is sent`;
  return derivedCase(happy, 'behaviour/keeps-omitted', title, [...setup, patched, check], 'behaviour');
}

/** A value the read must show exactly as sent: numbers, booleans, enum members (text may be normalised or varied per run). */
function exactValue(schema: SchemaObject, value: unknown): value is ScalarValue {
  if (typeof value === 'number' || typeof value === 'boolean') return true;
  return typeof value === 'string' && Array.isArray(schema.enum) && schema.enum.includes(value);
}

/** Another valid value than `value` (the neighbour within the limits, another enum member, the other boolean). */
function otherValue(schema: SchemaObject, value: ScalarValue): ScalarValue | undefined {
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'string') return (schema.enum as unknown[]).find((member): member is string => typeof member === 'string' && member !== value);
  const step = typeof schema.multipleOf === 'number' ? schema.multipleOf : 1;
  const fits = (candidate: number) => (typeof schema.maximum !== 'number' || candidate <= schema.maximum) && (typeof schema.minimum !== 'number' || candidate >= schema.minimum)
    && (typeof schema.exclusiveMaximum !== 'number' || candidate < schema.exclusiveMaximum) && (typeof schema.exclusiveMinimum !== 'number' || candidate > schema.exclusiveMinimum);
  return [value + step, value - step].find(fits);
}

/**
 * Write the item (PUT or PATCH) with numbers, booleans and enum members other than the create's,
 * read it back: each reads as sent (an update that answers but does not store is caught).
 */
function storesWhatWasSent(plan: OperationPlan, happy: PlannedCase, read: OperationPlan): PlannedCase | undefined {
  const { setup, own } = happySteps(happy, 'written');
  const body = own.request.body;
  const shape = objectShape(plan.operation.requestBody?.schema ?? {});
  const creator = creatorOf(setup, own, plan);
  if (!shape || !isObject(body) || !creator || !isObject(creator.request.body)) return undefined;
  const before = creator.request.body;
  const readable = propertiesOf(successSchema(read));
  const sent: Record<string, ScalarValue> = {};
  for (const [name, schema] of shape.properties) {
    const value = body[name];
    const shown = readable.get(name);
    if (!exactValue(schema, value) || own.bindBody?.[pointerOf(name)] || schema.readOnly === true || !shown || shown.writeOnly === true) continue;
    const distinct = before[name] === value ? otherValue(schema, value) : value;
    if (distinct !== undefined) sent[name] = distinct;
  }
  if (!Object.keys(sent).length) return undefined;
  const written: TestStep = { ...own, request: { ...own.request, body: { ...body, ...sent } } };
  const check = readStep(read, written, Object.entries(sent).map(([name, value]): StepCheck => ({ kind: 'equals', pointer: pointerOf(name), value })));
  if (!check) return undefined;
  const title = `stores ${Object.keys(sent).map((name) => `"${name}"`).join(', ')} as sent`;
  return derivedCase(happy, 'behaviour/stores-sent', title, [...setup, written, check], 'behaviour');
}

/** Update the item as the happy path does, then send the nullable field as null: the answer succeeds and the item reads back without it. */
function clearsNullableFields(plan: OperationPlan, happy: PlannedCase, read: OperationPlan): PlannedCase[] {
  const { setup, own } = happySteps(happy, 'updated');
  const body = own.request.body;
  const shape = objectShape(plan.operation.requestBody?.schema ?? {});
  if (!shape || !isObject(body)) return [];
  const readable = propertiesOf(successSchema(read));
  const clearable = ([name, schema]: [string, SchemaObject]) => isNullable(schema) && schema.readOnly !== true && readable.has(name);
  const nullable = shape.properties.filter(clearable).slice(0, MAX_CLEARED_FIELDS);
  return nullable.flatMap(([name]) => {
    const others = shape.required.filter((field) => field !== name);
    const cleared: TestStep = { ...withBodyFields(own, others, { [name]: null }), name: 'cleared', setup: undefined };
    const check = readStep(read, cleared, [{ kind: 'cleared', pointer: pointerOf(name) }]);
    if (!check) return [];
    const steps = [...setup, { ...own, setup: true }, cleared, check];
    return [derivedCase(happy, `behaviour/clears.${name}`, `clears "${name}" when it is sent as null`, steps, 'behaviour')];
  });
}

/** The values a filter parameter takes (an enum or a boolean), for a field of the created item's body. */
function filterValues(schema: SchemaObject): ScalarValue[] {
  const values = Array.isArray(schema.enum) ? schema.enum : schemaTypes(schema).includes('boolean') ? [true, false] : [];
  return values.filter((value): value is ScalarValue => ['string', 'number', 'boolean'].includes(typeof value));
}

interface CollectionCreate {
  plan: OperationPlan;
  setup: TestStep[];
  own: TestStep;
}

/** The create of the list's collection, as steps: setup (the parent it needs) and its own step. */
function collectionCreate(plans: OperationPlan[], list: OperationPlan): CollectionCreate | undefined {
  const create = plans.find((plan) => plan.operation.path === list.operation.path && plan.operation.method === 'post' && happyOf(plan));
  const happy = create && happyOf(create);
  if (!create || !happy || !isObject((happy.steps?.[happy.steps.length - 1] ?? happy).request.body)) return undefined;
  const { setup, own } = happySteps(happy, 'item');
  const { capture: _capture, ...step } = own;
  return { plan: create, setup, own: { ...step, setup: true } };
}

const renamedKeys = (record: Record<string, string>, names: Map<string, string>) =>
  Object.fromEntries(Object.entries(record).map(([variable, pointer]) => [names.get(variable) ?? variable, pointer]));

const renamed = (record: Record<string, string> | undefined, names: Map<string, string>) =>
  record && Object.fromEntries(Object.entries(record).map(([key, variable]) => [key, names.get(variable) ?? variable]));

/**
 * Another item of the same collection made by its own chain: the steps making its parent (what the
 * list's path names) are shared, the others (a patient an appointment refers to) are made again
 * under suffixed names, so items do not clash on what an API allows once per referenced resource.
 */
function anotherItem(create: CollectionCreate, name: string, suffix: string): TestStep[] {
  const shared = new Set(Object.values(create.own.bind ?? {}));
  const names = new Map<string, string>();
  const copies: TestStep[] = [];
  for (const step of create.setup) {
    const captured = Object.keys(step.capture ?? {});
    if (captured.some((variable) => shared.has(variable))) continue;
    for (const variable of captured) names.set(variable, `${variable}_${suffix}`);
    copies.push(structuredClone(step));
  }
  const rename = (step: TestStep, stepName: string): TestStep => ({
    ...step,
    name: stepName,
    ...(step.capture ? { capture: renamedKeys(step.capture, names) } : {}),
    ...(step.bind ? { bind: renamed(step.bind, names) } : {}),
    ...(step.bindBody ? { bindBody: renamed(step.bindBody, names) } : {}),
  });
  return [...copies.map((step) => rename(step, `${step.name}_${suffix}`)), rename(structuredClone(create.own), name)];
}

function withValue(step: TestStep, name: string, field: string, value: unknown): TestStep {
  const body = { ...(step.request.body as Record<string, unknown>), [field]: value };
  const unique = Object.fromEntries(Object.entries(step.request.unique ?? {}).filter(([pointer]) => pointer !== pointerOf(field)));
  return { ...structuredClone(step), name, request: { ...structuredClone(step.request), body, ...(Object.keys(unique).length ? { unique } : {}) } };
}

/** The list's own step on the created items' parent: only its required query parameters, then `query`. */
function listStep(list: OperationPlan, happy: PlannedCase, name: string, item: TestStep, query: Record<string, QueryValue>): TestStep {
  const { own } = happySteps(happy, name);
  const required = new Set(list.operation.parameters.filter((parameter) => parameter.in === 'query' && parameter.required).map((parameter) => parameter.name));
  const kept = Object.fromEntries(Object.entries(own.request.query).filter(([param]) => required.has(param)));
  return {
    ...own,
    request: {
      ...own.request, pathParams: { ...item.request.pathParams }, query: { ...kept, ...query }, ...(item.request.unique ? { unique: pathUnique(item) } : {}),
    },
    ...(item.bind ? { bind: { ...item.bind } } : {}),
    bindBody: undefined,
    setup: undefined,
  };
}

/**
 * One case per enum or boolean query parameter naming a property of the items. Settable at create:
 * one item with the filtered value and one with another. Set by the API (a status): one item made
 * as the create makes it, filtered by a value it is unlikely to start with (not the documented
 * default, the enum's last), so that an ignored filter lists it.
 */
function filtersNarrow(plans: OperationPlan[], list: OperationPlan, happy: PlannedCase): PlannedCase[] {
  const listed = listedItems(successSchema(list));
  const create = collectionCreate(plans, list);
  if (!listed || !create) return [];
  const items = propertiesOf(listed.items);
  const settable = propertiesOf(create.plan.operation.requestBody?.schema);
  return list.operation.parameters.filter((parameter) => parameter.in === 'query').flatMap((parameter): PlannedCase[] => {
    const field = [...items.keys()].find((name) => normalized(name) === normalized(parameter.name));
    if (!field) return [];
    const property = settable.get(field);
    const byCreate = property && property.readOnly !== true ? property : undefined;
    const schema = byCreate ?? items.get(field)!;
    const isArray = schemaTypes(schema).includes('array');
    const allowed = new Set(filterValues(isArray ? asSchema(schema.items) : schema));
    const values = filterValues(parameter.schema).filter((value) => allowed.has(value));
    if (values.length < 2) return [];
    const check = (value: ScalarValue): StepCheck => ({ kind: 'each-item', items: listed.pointer, pointer: pointerOf(field), value });
    const title = (value: ScalarValue) => `lists only items whose "${field}" is ${JSON.stringify(value)} when filtered by ${parameter.name}`;
    if (!byCreate) {
      const wanted = [...values].reverse().find((value) => value !== schema.default)!;
      const steps = [...create.setup, { ...create.own, name: 'made' }, { ...listStep(list, happy, 'filtered', create.own, { [parameter.name]: wanted }), checks: [check(wanted)] }];
      return [derivedCase(happy, `behaviour/filter.${parameter.name}`, title(wanted), steps, 'behaviour')];
    }
    const sent = (create.own.request.body as Record<string, unknown>)[field];
    const wanted = values.find((value) => (isArray ? Array.isArray(sent) && sent.includes(value) : sent === value)) ?? values[0];
    const other = values.find((value) => value !== wanted)!;
    const steps = [
      ...create.setup,
      withValue(create.own, 'with_value', field, isArray ? [wanted] : wanted),
      ...anotherItem({ ...create, own: withValue(create.own, 'with_other_value', field, isArray ? [other] : other) }, 'with_other_value', 'other'),
      { ...listStep(list, happy, 'filtered', create.own, { [parameter.name]: wanted }), checks: [check(wanted)] },
    ];
    return [derivedCase(happy, `behaviour/filter.${parameter.name}`, title(wanted), steps, 'behaviour')];
  });
}

const findParameter = (parameters: OperationParameter[], names: Set<string>) =>
  parameters.find((parameter) => parameter.in === 'query' && names.has(normalized(parameter.name)) && !parameter.required);

const isInteger = (parameter: OperationParameter) => schemaTypes(parameter.schema).some((type) => type === 'integer' || type === 'number');

/** How the second page is asked for: an offset, a page number, or the cursor the first page answered. */
interface Paging {
  first: Record<string, QueryValue>;
  second: Record<string, QueryValue>;
  cursor?: { param: string; pointer: string };
}

function secondPage(list: OperationPlan, listedPointer: string): Paging | undefined {
  const parameters = list.operation.parameters;
  const offset = findParameter(parameters, OFFSET_NAMES);
  if (offset && isInteger(offset)) return { first: {}, second: { [offset.name]: 1 } };
  const page = findParameter(parameters, PAGE_NAMES);
  if (page && isInteger(page)) {
    const floor = [page.schema.minimum, page.schema.default].find((value): value is number => typeof value === 'number');
    const base = floor === 0 ? 0 : 1;
    return { first: { [page.name]: base }, second: { [page.name]: base + 1 } };
  }
  const cursor = findParameter(parameters, CURSOR_NAMES);
  const envelope = listedPointer ? [...propertiesOf(successSchema(list)).keys()] : [];
  const next = envelope.find((name) => NEXT_NAMES.has(normalized(name)));
  if (cursor && next) return { first: {}, second: {}, cursor: { param: cursor.name, pointer: pointerOf(next) } };
  return undefined;
}

/** Lists a page of one item twice (first and second page) and a page of three: the two are its first and second items. */
function pagesFollowOn(plans: OperationPlan[], list: OperationPlan, happy: PlannedCase): PlannedCase | undefined {
  const listed = listedItems(successSchema(list));
  const limit = findParameter(list.operation.parameters, LIMIT_NAMES);
  const create = collectionCreate(plans, list);
  if (!listed || !limit || !isInteger(limit) || !create) return undefined;
  const { minimum, maximum } = limit.schema as { minimum?: number; maximum?: number };
  if ((typeof minimum === 'number' && minimum > 1) || (typeof maximum === 'number' && maximum < FULL_PAGE)) return undefined;
  const paging = secondPage(list, listed.pointer);
  if (!paging) return undefined;
  const itemProperties = propertiesOf(listed.items);
  const idName = ID_NAMES.find((name) => itemProperties.has(name));
  const id = idName ? { id: pointerOf(idName) } : {};
  const pageCheck = (start: number): StepCheck => ({ kind: 'page-of', items: listed.pointer, step: 'full_page', start, count: 1, ...id });
  const first = { ...listStep(list, happy, 'first_page', create.own, { ...paging.first, [limit.name]: 1 }), checks: [pageCheck(0)] };
  if (paging.cursor) first.capture = { next_cursor: paging.cursor.pointer };
  const second = { ...listStep(list, happy, 'second_page', create.own, { ...paging.second, [limit.name]: 1 }), checks: [pageCheck(1)] };
  if (paging.cursor) second.bindQuery = { [paging.cursor.param]: 'next_cursor' };
  const steps = [
    ...create.setup,
    { ...structuredClone(create.own), name: 'item_1' },
    ...anotherItem(create, 'item_2', '2'),
    ...anotherItem(create, 'item_3', '3'),
    { ...listStep(list, happy, 'full_page', create.own, { ...paging.first, [limit.name]: FULL_PAGE }), setup: true },
    first,
    second,
  ];
  const how = paging.cursor ? `the cursor in "${paging.cursor.pointer.slice(1)}"` : Object.keys(paging.second).join(', ');
  return derivedCase(happy, 'behaviour/pages', `pages of ${limit.name}=1 by ${how} neither skip nor repeat items`, steps, 'behaviour');
}

const isCollectionPath = (path: string) => !/\}$/.test(path);

/** Adds the behaviour cases each PATCH and each list of a collection calls for. */
export function addBehaviourCases(plans: OperationPlan[]): void {
  for (const plan of plans) {
    const happy = happyOf(plan);
    if (!happy) continue;
    const { method, path } = plan.operation;
    const read = plans.find((other) => other.operation.path === path && other.operation.method === 'get' && happyOf(other));
    const added: (PlannedCase | undefined)[] = [];
    if (method === 'patch' && read && happy.steps) added.push(keepsOmittedFields(plans, plan, happy, read), ...clearsNullableFields(plan, happy, read));
    if ((method === 'put' || method === 'patch') && read && happy.steps) added.push(storesWhatWasSent(plan, happy, read));
    if (method === 'get' && isCollectionPath(path)) added.push(...filtersNarrow(plans, plan, happy), pagesFollowOn(plans, plan, happy));
    for (const testCase of added) if (testCase) plan.cases.push(testCase);
  }
}
