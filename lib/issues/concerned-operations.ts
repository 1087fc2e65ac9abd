/**
 * Which API operations an issue is about, read from its text the way a reviewer would: an
 * operationId written out (`createPet`), or a method with a path (`POST /pets`, `GET /pets/42`,
 * `GET /pets/{petId}`), where a concrete segment matches a path parameter.
 */
import type { Operation } from '../openapi';

export interface ConcernedOperation {
  operation: Operation;
  /** What in the issue named it, e.g. `POST /pets` or `createPet`. */
  mention: string;
}

const METHOD_PATH = /\b(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS)\s+(\/[^\s`'"),;]*)/gi;

function pathPattern(template: string): RegExp {
  const escaped = template
    .replace(/\/+$/, '')
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/?#]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${escaped}/?$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function operationsConcerned(text: string, operations: Operation[]): ConcernedOperation[] {
  const found = new Map<string, ConcernedOperation>();
  for (const match of text.matchAll(METHOD_PATH)) {
    const method = match[1].toLowerCase();
    const path = match[2].split(/[?#]/)[0].replace(/[.:]+$/, '');
    for (const operation of operations) {
      if (operation.method !== method || found.has(operation.operationId)) continue;
      // A template written out (`/pets/{petId}`) or a concrete path (`/pets/42`).
      if (operation.path === path || pathPattern(operation.path).test(path)) {
        found.set(operation.operationId, { operation, mention: `${match[1].toUpperCase()} ${path}` });
      }
    }
  }
  for (const operation of operations) {
    if (found.has(operation.operationId)) continue;
    if (new RegExp(`(^|[^A-Za-z0-9_])${escapeRegExp(operation.operationId)}([^A-Za-z0-9_]|$)`).test(text)) {
      found.set(operation.operationId, { operation, mention: operation.operationId });
    }
  }
  // In the spec's order, so the generated files do not depend on how the issue is worded.
  return operations.filter((op) => found.has(op.operationId)).map((op) => found.get(op.operationId)!);
}
