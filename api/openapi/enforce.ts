/**
 * What the OpenAPI description says about routes, enforced generically: the content types an
 * operation takes (415 otherwise), the methods a path has (405 with `Allow` otherwise, `Allow` for
 * OPTIONS), and the
 * document itself at `GET /api/openapi.json`.
 */
import { Router, type RequestHandler } from 'express';
import { HttpError } from '../errors';
import { HTTP_METHODS } from '../../lib/openapi/operation';
import { openApiDocument, type OpenApiDocument, type OpenApiOperation } from './document';

interface DocumentedPath {
  template: string;
  pattern: RegExp;
  operations: Map<string, OpenApiOperation>;
}

function compilePaths(document: OpenApiDocument): DocumentedPath[] {
  return Object.entries(document.paths).map(([template, item]) => {
    const source = template
      .split(/(\{[^}]+\})/)
      .map((part) => (/^\{[^}]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    const operations = new Map<string, OpenApiOperation>();
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation) operations.set(method.toUpperCase(), operation);
    }
    return { template, pattern: new RegExp(`^${source}/?$`), operations };
  });
}

function documentedPaths(document: OpenApiDocument = openApiDocument) {
  const paths = compilePaths(document);
  return {
    /** The documented path (template) a request path falls under. */
    match(path: string): DocumentedPath | undefined {
      return paths.find((p) => p.pattern.test(path));
    },
  };
}

/** A body is there when it has bytes: `Content-Length: 0` (what fetch sends for a bare POST) is none. */
function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/** 415 for a body whose Content-Type the operation's `requestBody` does not list. */
export function requireDocumentedMediaType(document: OpenApiDocument = openApiDocument): RequestHandler {
  const paths = documentedPaths(document);
  return (req, _res, next) => {
    if (!hasBody(req.headers)) return next();
    const operation = paths.match(req.baseUrl + req.path)?.operations.get(req.method);
    const types = Object.keys(operation?.requestBody?.content ?? {});
    if (!operation || types.length === 0 || req.is(types)) return next();
    const given = req.get('content-type');
    next(new HttpError(
      415, 'unsupported_media_type',
      `${given ? `Content-Type ${given} is not accepted` : 'the body has no Content-Type'} by ${req.method} ${req.baseUrl + req.path}: send one of ${types.join(', ')}`,
      types.map((type) => ({ field: 'content-type', message: `accepts ${type}` })),
    ));
  };
}

/** What `Allow` lists for a documented path: its operations, HEAD where it has GET, and OPTIONS. */
function allowedMethods(documented: DocumentedPath): string[] {
  const methods = [...documented.operations.keys()];
  if (methods.includes('GET')) methods.push('HEAD');
  return [...methods, 'OPTIONS'];
}

/**
 * `OPTIONS` on a documented path: 204 with `Allow`, before any router (Express would otherwise
 * answer with the methods of the first router that matched, e.g. only POST). No API key needed:
 * it tells no more than the published description. Configured CORS adds its headers first.
 */
export function answerOptions(document: OpenApiDocument = openApiDocument): RequestHandler {
  const paths = documentedPaths(document);
  return (req, res, next) => {
    const documented = req.method === 'OPTIONS' ? paths.match(req.path) : undefined;
    if (!documented) return next();
    res.set('Allow', allowedMethods(documented).join(', ')).status(204).end();
  };
}

/** 405 with `Allow` for a documented path asked with a method it does not have (404 stays for unknown paths). */
export function methodNotAllowed(document: OpenApiDocument = openApiDocument): RequestHandler {
  const paths = documentedPaths(document);
  return (req, res, next) => {
    const documented = paths.match(req.path);
    if (!documented || documented.operations.has(req.method) || (req.method === 'HEAD' && documented.operations.has('GET'))) return next();
    const allowed = allowedMethods(documented);
    res.set('Allow', allowed.join(', '));
    next(new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${documented.template}: use ${allowed.join(', ')}`));
  };
}

/** `GET /openapi.json` (mounted under /api). */
export function openApiRouter(document: OpenApiDocument = openApiDocument): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.set('Cache-Control', 'no-cache').json(document);
  });
  return router;
}
