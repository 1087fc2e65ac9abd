import { asSchema, objectShape, schemaTypes, type OperationLink, type SchemaObject } from '../../openapi';
import type { OperationPlan } from '../operation-plan';
import { happyOf } from './happy';
import { collectionPathOf, idPropertyCandidates, literalSegments, normalized, referenceField, singular } from './names';

/**
 * Which operation yields the values another consumes (RESTler's producer → consumer inference):
 * a POST on a collection creates a resource whose id a path parameter or a body field names, or,
 * without one, a GET on the collection lists existing ones.
 */
export interface Producer {
  plan: OperationPlan;
  kind: 'create' | 'list';
  /** JSON pointer to the id in the producer's success response. */
  pointer: string;
  /** Singular resource name, for step and variable names: `patient`. */
  resource: string;
}

const escape = (name: string) => name.replace(/~/g, '~0').replace(/\//g, '~1');

function successSchema(plan: OperationPlan): SchemaObject | undefined {
  return plan.operation.responses.find((response) => response.status === plan.successStatus)?.schema;
}

function linkPointer(plan: OperationPlan, param: string): string | undefined {
  const links: OperationLink[] = plan.operation.responses.find((r) => r.status === plan.successStatus)?.links ?? [];
  for (const link of links) {
    const expression = link.parameters[param] ?? link.parameters[`path.${param}`];
    const match = typeof expression === 'string' ? /^\$response\.body#(\/.*)$/.exec(expression) : null;
    if (match) return match[1];
  }
  return undefined;
}

function propertyIn(schema: SchemaObject | undefined, candidates: string[]): string | undefined {
  const names = new Map((schema ? objectShape(schema)?.properties ?? [] : []).map(([name]) => [normalized(name), name]));
  for (const candidate of candidates) {
    const found = names.get(normalized(candidate));
    if (found) return found;
  }
  return undefined;
}

/** The array of items a list answers: the body itself, or its first array property (`items`, `data`…). */
export function listedItems(schema: SchemaObject | undefined): { pointer: string; items: SchemaObject } | undefined {
  if (!schema) return undefined;
  if (schemaTypes(schema).includes('array')) return { pointer: '', items: asSchema(schema.items) };
  for (const [name, property] of objectShape(schema)?.properties ?? []) {
    if (schemaTypes(property).includes('array')) return { pointer: `/${escape(name)}`, items: asSchema(property.items) };
  }
  return undefined;
}

/** The creator of `collectionPath`'s resources, else its list, with where the id is. */
export function collectionProducer(plans: OperationPlan[], collectionPath: string, candidates: string[], param?: string): Producer | undefined {
  const segments = literalSegments(collectionPath);
  const resource = singular(segments[segments.length - 1] ?? 'resource');
  for (const plan of plans) {
    if (plan.operation.path !== collectionPath || plan.operation.method !== 'post' || !happyOf(plan)) continue;
    const pointer = (param && linkPointer(plan, param)) ?? propertyPointer(successSchema(plan), candidates);
    if (pointer !== undefined) return { plan, kind: 'create', pointer, resource };
  }
  for (const plan of plans) {
    if (plan.operation.path !== collectionPath || plan.operation.method !== 'get' || !happyOf(plan)) continue;
    const listed = listedItems(successSchema(plan));
    const property = listed && propertyIn(listed.items, candidates);
    if (listed && property) return { plan, kind: 'list', pointer: `${listed.pointer}/0/${escape(property)}`, resource };
  }
  return undefined;
}

function propertyPointer(schema: SchemaObject | undefined, candidates: string[]): string | undefined {
  const property = propertyIn(schema, candidates);
  return property === undefined ? undefined : `/${escape(property)}`;
}

/** The producer of a path parameter: the collection just before it in the path (`/patients` for `/patients/{patientId}`). */
export function pathParameterProducer(plans: OperationPlan[], path: string, param: string): Producer | undefined {
  const collection = collectionPathOf(path, param);
  if (!collection) return undefined;
  const segments = literalSegments(collection);
  return collectionProducer(plans, collection, idPropertyCandidates(param, segments[segments.length - 1] ?? ''), param);
}

/** Collections: paths ending in a literal segment that some POST or GET serves. */
function collections(plans: OperationPlan[]): string[] {
  const paths = plans.filter((plan) => ['post', 'get'].includes(plan.operation.method) && !/\}$/.test(plan.operation.path)).map((plan) => plan.operation.path);
  return [...new Set(paths)];
}

/** The id property schema of a collection's resources, from its create or list response. */
function idSchema(plans: OperationPlan[], collection: string, idWord: string): SchemaObject | undefined {
  const producer = collectionProducer(plans, collection, [idWord, 'id']);
  if (!producer) return undefined;
  const schema = successSchema(producer.plan);
  const holder = producer.kind === 'create' ? schema : listedItems(schema)?.items;
  const name = propertyIn(holder, [idWord, 'id']);
  return name ? asSchema(objectShape(asSchema(holder))?.properties.find(([n]) => n === name)?.[1]) : undefined;
}

/** A nullable reference (`oneOf: [UserId, {type: 'null'}]`) as its one non-null branch. */
function withoutNull(schema: SchemaObject): SchemaObject {
  const branches = (schema.oneOf ?? schema.anyOf) as unknown[] | undefined;
  if (!Array.isArray(branches)) return schema;
  const others = branches.map(asSchema).filter((branch) => !(schemaTypes(branch).length === 1 && schemaTypes(branch)[0] === 'null'));
  return others.length === 1 ? others[0] : schema;
}

/**
 * The producer of a body field that names another resource: `patientId` → `/patients`, by name;
 * else (`assigneeId` → `/users`) the collection whose ids have the field's `pattern`.
 */
export function referenceProducer(plans: OperationPlan[], field: string, schema: SchemaObject): Producer | undefined {
  const fieldSchema = withoutNull(schema);
  const reference = referenceField(field);
  if (!reference) return undefined;
  const candidates = [field, reference.idWord, 'id'];
  const byName = collections(plans).filter((path) => {
    const segments = literalSegments(path);
    return normalized(singular(segments[segments.length - 1] ?? '')) === reference.resource;
  });
  for (const path of byName) {
    const producer = collectionProducer(plans, path, candidates);
    if (producer) return producer;
  }
  if (typeof fieldSchema.pattern !== 'string') return undefined;
  for (const path of collections(plans)) {
    if (idSchema(plans, path, reference.idWord)?.pattern === fieldSchema.pattern) {
      const producer = collectionProducer(plans, path, candidates);
      if (producer) return producer;
    }
  }
  return undefined;
}
