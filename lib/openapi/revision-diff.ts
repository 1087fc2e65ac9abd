/**
 * What changed between two revisions of a spec, operation by operation. Both revisions are read
 * through the operation model (so OpenAPI 3.x and Swagger 2.0 compare alike), written back as one
 * small OpenAPI 3 document each, and compared by api-smart-diff, whose rules classify each change
 * as breaking or not and describe it.
 */
import { apiCompare } from 'api-smart-diff';
import { listOperations } from './list-operations';
import type { OperationChange, RevisionChanges } from '../core/contract';
import type { Operation } from './operation';

/** How many lines of detail a changed operation keeps (a rewritten schema can yield hundreds). */
const MAX_DETAILS = 10;

const operationKey = (operation: Operation) => `${operation.method.toUpperCase()} ${operation.path}`;

/** A copy where an object met again below itself (a recursive schema) becomes a marker: the comparison needs a tree. */
function acyclic(value: unknown, ancestors: object[] = []): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.includes(value)) return { description: '(recursive)' };
  const below = [...ancestors, value];
  if (Array.isArray(value)) return value.map((item) => acyclic(item, below));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, acyclic(item, below)]));
}

function content(mediaType: string | undefined, schema: unknown) {
  return mediaType ? { content: { [mediaType]: schema === undefined ? {} : { schema } } } : {};
}

/** The operation as OpenAPI 3 writes it: what a client of the operation depends on. */
function operationObject(operation: Operation) {
  const { parameters, requestBody, responses } = operation;
  return {
    operationId: operation.operationId,
    ...(operation.summary ? { summary: operation.summary } : {}),
    parameters: parameters.map(({ name, in: location, required, schema }) => ({ name, in: location, required, schema })),
    ...(requestBody ? { requestBody: { required: requestBody.required, ...content(requestBody.mediaType, requestBody.schema) } } : {}),
    responses: Object.fromEntries(
      responses.map((response) => [
        response.status,
        {
          description: response.description ?? '',
          ...content(response.mediaType, response.schema),
          ...(response.headers ? { headers: Object.fromEntries(response.headers.map((name) => [name, { schema: {} }])) } : {}),
        },
      ]),
    ),
    security: operation.securityRequirements.map((requirement) => Object.fromEntries(requirement.map((scheme) => [scheme.name, []]))),
  };
}

function operationDocument(operations: Operation[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) (paths[operation.path] ??= {})[operation.method] = operationObject(operation);
  return { openapi: '3.0.3', info: { title: 'revision', version: '0' }, paths: acyclic(paths) };
}

/** Operations of `after` that `before` lacks, that it has in another form, and that it has and `after` lacks; each list sorted. */
export function diffRevisions(before: object, after: object): RevisionChanges {
  const beforeOps = new Map(listOperations(before).map((op) => [operationKey(op), op]));
  const afterOps = new Map(listOperations(after).map((op) => [operationKey(op), op]));
  const { diffs } = apiCompare(operationDocument([...beforeOps.values()]), operationDocument([...afterOps.values()]));

  const detailsOf = new Map<string, { breaking: boolean; details: string[] }>();
  for (const diff of diffs) {
    const [root, path, method] = diff.path;
    if (root !== 'paths' || typeof path !== 'string' || typeof method !== 'string') continue;
    const key = `${method.toUpperCase()} ${path}`;
    if (!beforeOps.has(key) || !afterOps.has(key)) continue;
    const entry = detailsOf.get(key) ?? { breaking: false, details: [] };
    entry.breaking ||= diff.type === 'breaking';
    if (entry.details.length < MAX_DETAILS && diff.description) entry.details.push(diff.description);
    detailsOf.set(key, entry);
  }

  const change = (key: string, operation: Operation, breaking: boolean, details: string[] = []): OperationChange => ({
    operation: key, operationId: operation.operationId, breaking, details,
  });
  const sortedKeys = (keys: Iterable<string>) => [...keys].sort();
  return {
    added: sortedKeys(afterOps.keys()).filter((key) => !beforeOps.has(key)).map((key) => change(key, afterOps.get(key)!, false)),
    changed: sortedKeys(detailsOf.keys()).map((key) => change(key, afterOps.get(key)!, detailsOf.get(key)!.breaking, detailsOf.get(key)!.details)),
    removed: sortedKeys(beforeOps.keys()).filter((key) => !afterOps.has(key)).map((key) => change(key, beforeOps.get(key)!, true)),
  };
}
