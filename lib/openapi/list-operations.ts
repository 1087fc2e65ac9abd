import { HTTP_METHODS, type Operation } from './operation';
import { assignOperationIds } from './operation-id';
import { normalizeOpenApi3 } from './normalize-openapi3';
import { normalizeSwagger2 } from './normalize-swagger2';
import { specObject } from './spec-object';

export type SpecVersion = 'swagger2' | 'openapi3';

function specVersion(api: object): SpecVersion {
  const document = specObject(api);
  if (typeof document.swagger === 'string' && document.swagger.startsWith('2.')) return 'swagger2';
  if (typeof document.openapi === 'string' && /^3\.[01](?:\.|$)/.test(document.openapi)) return 'openapi3';
  throw new Error(`unsupported API description: expected "swagger: 2.0" or "openapi: 3.0.x/3.1.x"`);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every operation of a dereferenced (no `$ref` left) OpenAPI 3.0/3.1 or Swagger 2.0 document,
 * sorted by path then method so that equivalent documents list operations identically.
 */
export function listOperations(api: object): Operation[] {
  const document = specObject(api);
  const normalized = specVersion(api) === 'swagger2' ? normalizeSwagger2(document) : normalizeOpenApi3(document);
  normalized.sort(
    (a, b) => compareCodeUnits(a.path, b.path) || HTTP_METHODS.indexOf(a.method) - HTTP_METHODS.indexOf(b.method),
  );
  const ids = assignOperationIds(normalized.map((op) => ({ declared: op.declaredOperationId, method: op.method, path: op.path })));
  return normalized.map(({ declaredOperationId, ...operation }, index) => {
    const operationId = ids[index];
    const notes = [...operation.notes];
    if (declaredOperationId === undefined) notes.unshift(`no operationId in the spec: using "${operationId}"`);
    else if (declaredOperationId !== operationId) notes.unshift(`operationId "${declaredOperationId}" renamed to "${operationId}" (not a valid, unique identifier)`);
    return { operationId, ...operation, notes };
  });
}

/** `info.title`, when the document has one. */
export function apiTitle(api: object): string | undefined {
  const title = specObject(specObject(api).info).title;
  return typeof title === 'string' && title.trim() ? title.trim() : undefined;
}

/** The first server URL (OpenAPI 3 `servers`, Swagger 2.0 `schemes`/`host`/`basePath`), used as an example base URL. */
export function firstServerUrl(api: object): string | undefined {
  const document = specObject(api);
  if (specVersion(api) === 'openapi3') {
    const servers = Array.isArray(document.servers) ? document.servers : [];
    const url = specObject(servers[0]).url;
    return typeof url === 'string' && /^https?:\/\//.test(url) ? url : undefined;
  }
  if (typeof document.host !== 'string') return undefined;
  const schemes = Array.isArray(document.schemes) ? document.schemes : [];
  const scheme = schemes.includes('https') ? 'https' : typeof schemes[0] === 'string' ? schemes[0] : 'http';
  const basePath = typeof document.basePath === 'string' ? document.basePath : '';
  return `${scheme}://${document.host}${basePath === '/' ? '' : basePath}`;
}
