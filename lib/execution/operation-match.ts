import type { Operation } from '../openapi';

/** The operation a request addressed: method and a documented path template matching the path segment by segment. */

function templateRegExp(template: string): RegExp {
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => (/^\{[^}]+\}$/.test(part) ? '([^/]+)' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}/?$`);
}

/** Literal segments win over templated ones (`/pets/mine` before `/pets/{petId}`). */
function literalLength(template: string): number {
  return template.replace(/\{[^}]+\}/g, '').length;
}

export interface OperationMatcher {
  match(method: string, path: string): Operation | undefined;
}

export function operationMatcher(operations: Operation[]): OperationMatcher {
  const entries = operations
    .map((operation) => ({ operation, pattern: templateRegExp(operation.path) }))
    .sort((a, b) => literalLength(b.operation.path) - literalLength(a.operation.path));
  return {
    match(method, path) {
      const lower = method.toLowerCase();
      return entries.find((entry) => entry.operation.method === lower && entry.pattern.test(path))?.operation;
    },
  };
}

/** The documented response a status falls under: exact code, then its class (`4XX`), then `default`. */
export function documentedResponse<R extends { status: string }>(responses: R[], status: number): R | undefined {
  return (
    responses.find((r) => r.status === String(status)) ??
    responses.find((r) => r.status.toUpperCase() === `${String(status).charAt(0)}XX`) ??
    responses.find((r) => r.status === 'default')
  );
}
