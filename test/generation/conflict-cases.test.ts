/**
 * Documented conflicts provoked on resources the tests make: a duplicate create, an action done
 * twice, a delete of a resource another refers to, a reference to nothing. Generated from a small
 * spec, then run as a user would against a local API: all pass when it keeps its spec, and each
 * seeded fault makes exactly its own test fail.
 */
import fs from 'node:fs/promises';
import express from 'express';
import { generateSpecSuite, type GeneratedSuite } from '../../lib/generation';
import { dereferenceSpec } from '../../lib/openapi/dereference';
import { targetRepository } from './spec-fixtures';
import { failingNames, failuresOf, runAgainst, serveOnLoopback } from './run-generated';

const OUT_DIR = 'tests/testloom/library';

const SPEC = {
  openapi: '3.0.3',
  info: { title: 'Library', version: '1' },
  paths: {
    '/authors': {
      post: {
        operationId: 'createAuthor',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/NewAuthor' } } },
        },
        responses: {
          '201': { description: 'created', content: { 'application/json': { schema: { $ref: '#/components/schemas/Author' } } } },
          '400': { description: 'invalid' },
          '409': { description: 'an author with this handle exists' },
        },
      },
    },
    '/authors/{authorId}': {
      parameters: [{ name: 'authorId', in: 'path', required: true, schema: { type: 'integer' } }],
      delete: {
        operationId: 'deleteAuthor',
        responses: { '204': { description: 'deleted' }, '404': { description: 'unknown' }, '409': { description: 'the author still has books' } },
      },
    },
    '/books': {
      post: {
        operationId: 'createBook',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['title', 'authorId'],
                properties: { title: { type: 'string', minLength: 1, maxLength: 40 }, authorId: { type: 'integer', minimum: 1 } },
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'created',
            content: {
              'application/json': {
                schema: { type: 'object', required: ['id', 'title', 'authorId'], properties: { id: { type: 'integer' }, title: { type: 'string' }, authorId: { type: 'integer' } } },
              },
            },
          },
          '400': { description: 'invalid' },
          '422': { description: 'the author does not exist' },
        },
      },
    },
    '/books/{bookId}/archive': {
      post: {
        operationId: 'archiveBook',
        parameters: [{ name: 'bookId', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { '200': { description: 'archived' }, '404': { description: 'unknown' }, '409': { description: 'already archived' } },
      },
    },
  },
  components: {
    schemas: {
      NewAuthor: {
        type: 'object',
        required: ['handle', 'name'],
        properties: { handle: { type: 'string', pattern: '^[a-z][a-z0-9]{2,15}$' }, name: { type: 'string', minLength: 1, maxLength: 60 } },
      },
      Author: {
        allOf: [{ $ref: '#/components/schemas/NewAuthor' }, { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } }],
      },
    },
  },
};

type Fault = 'duplicates' | 'deleteWithBooks' | 'archiveTwice' | 'danglingAuthor';

interface Library {
  baseUrl: string;
  close(): Promise<void>;
  /** Who is still stored, and who was asked to be deleted with the clean-up marker. */
  authors: Map<number, { id: number; handle: string; name: string }>;
  books: Map<number, { id: number; title: string; authorId: number; archived: boolean }>;
  cleanupDeletes: number[];
}

/** The library API; each fault breaks one documented conflict. */
async function startLibrary(fault?: Fault): Promise<Library> {
  const authors = new Map<number, { id: number; handle: string; name: string }>();
  const books = new Map<number, { id: number; title: string; authorId: number; archived: boolean }>();
  let nextId = 1;
  const app = express();
  app.use(express.json());
  const fail = (res: express.Response, status: number, message: string) => res.status(status).json({ message });
  app.post('/authors', (req, res) => {
    const { handle, name } = (req.body ?? {}) as { handle?: unknown; name?: unknown };
    if (typeof handle !== 'string' || !/^[a-z][a-z0-9]{2,15}$/.test(handle) || typeof name !== 'string' || !name || name.length > 60) return fail(res, 400, 'invalid');
    if (fault !== 'duplicates' && [...authors.values()].some((a) => a.handle === handle)) return fail(res, 409, 'handle taken');
    const author = { id: nextId++, handle, name };
    authors.set(author.id, author);
    res.status(201).json(author);
  });
  const cleanupDeletes: number[] = [];
  app.delete('/authors/:id', (req, res) => {
    const id = Number(req.params.id);
    if (req.get('x-testloom-cleanup')) cleanupDeletes.push(id);
    if (!authors.has(id)) return fail(res, 404, 'unknown');
    if (fault !== 'deleteWithBooks' && [...books.values()].some((b) => b.authorId === id)) return fail(res, 409, 'has books');
    authors.delete(id);
    res.status(204).end();
  });
  app.post('/books', (req, res) => {
    const { title, authorId } = (req.body ?? {}) as { title?: unknown; authorId?: unknown };
    if (typeof title !== 'string' || !title || title.length > 40 || !Number.isInteger(authorId) || (authorId as number) < 1) return fail(res, 400, 'invalid');
    if (fault !== 'danglingAuthor' && !authors.has(authorId as number)) return fail(res, 422, 'no such author');
    const book = { id: nextId++, title, authorId: authorId as number, archived: false };
    books.set(book.id, book);
    res.status(201).json({ id: book.id, title: book.title, authorId: book.authorId });
  });
  app.post('/books/:id/archive', (req, res) => {
    const book = books.get(Number(req.params.id));
    if (!book) return fail(res, 404, 'unknown');
    if (book.archived && fault !== 'archiveTwice') return fail(res, 409, 'already archived');
    book.archived = true;
    res.json({ id: book.id, archived: true });
  });
  return { ...(await serveOnLoopback(app)), authors, books, cleanupDeletes };
}

describe('documented conflicts', () => {
  let suite: GeneratedSuite;
  let repoDir: string;

  beforeAll(async () => {
    suite = generateSpecSuite({ api: await dereferenceSpec(structuredClone(SPEC)), specId: 'library', outDir: OUT_DIR });
    repoDir = await targetRepository(suite.artifacts, 'testloom-conflicts-');
  });
  afterAll(async () => {
    if (repoDir) await fs.rm(repoDir, { recursive: true, force: true });
  });

  test('become cases whose earlier steps are setup and whose last step expects the documented status', () => {
    const cases = suite.cases.filter((c) => c.kind === 'conflict' || c.kind === 'dangling-reference');
    const shape = cases.map((c) => [c.id, c.steps?.map((s) => `${s.operationId}${s.setup ? ' (setup)' : ''} → ${s.expectedStatus}`)]);
    expect(shape).toEqual([
      ['createAuthor/conflict/duplicate', ['createAuthor (setup) → 201', 'createAuthor → 409']],
      ['createBook/dangling-reference/body.authorId', ['createAuthor (setup) → 201', 'createBook → 4XX']],
      ['archiveBook/conflict/twice', ['createAuthor (setup) → 201', 'createBook (setup) → 201', 'archiveBook (setup) → 200', 'archiveBook → 409']],
      // Deletes come last in their file.
      ['deleteAuthor/conflict/dependents', ['createAuthor (setup) → 201', 'createBook (setup) → 201', 'deleteAuthor → 409']],
    ]);
    // The duplicate sends back what the first create got: the handle is varied per run, then read from the answer.
    const duplicate = cases[0].steps!;
    expect(duplicate[0].capture).toEqual({ first_handle: '/handle', first_name: '/name' });
    expect(duplicate[1].bindBody).toEqual({ '/handle': 'first_handle', '/name': 'first_name' });
    // The dangling reference names an author id nobody made.
    expect(cases[1].request.body).toMatchObject({ authorId: 999999999 });
    expect(cases[1].steps![1].bindBody ?? {}).toEqual({});
  });

  test('a create whose 409 is about something else than a value already taken is not sent twice', async () => {
    const spec = structuredClone(SPEC);
    spec.paths['/authors'].post.responses['409'].description = 'not enough seats left for new authors';
    const other = generateSpecSuite({ api: await dereferenceSpec(spec), specId: 'library', outDir: OUT_DIR });
    expect(other.cases.map((c) => c.id)).not.toContain('createAuthor/conflict/duplicate');
    expect(other.cases.map((c) => c.id)).toContain('deleteAuthor/conflict/dependents');
  });

  test('delete what they created after each test, where the spec documents a DELETE', async () => {
    const library = await startLibrary();
    const results = await runAgainst(repoDir, OUT_DIR, Promise.resolve(library));
    expect(failuresOf(results)).toEqual([]);
    expect(library.cleanupDeletes.length).toBeGreaterThan(0);
    // Only authors of books are left: no DELETE /books is documented, and deleting an author with books is a 409.
    const withBooks = new Set([...library.books.values()].map((book) => book.authorId));
    expect([...library.authors.keys()].filter((id) => !withBooks.has(id))).toEqual([]);
    // A test that deletes the author itself (deleteAuthor's happy path) sends no clean-up for it.
    const deleting = suite.cases.find((c) => c.id === 'deleteAuthor/happy-path')!;
    expect(deleting.steps!.map((step) => Boolean(step.cleanup))).toEqual([false, false]);
  });

  test('pass against an API that keeps its spec', async () => {
    const results = await runAgainst(repoDir, OUT_DIR, startLibrary());
    expect(failuresOf(results)).toEqual([]);
    expect(results.numPassedTests).toBe(suite.cases.length);
  });

  test.each([
    ['duplicates', 'createAuthor answers 409 to a second create with the same values'],
    ['deleteWithBooks', 'deleteAuthor answers 409 when a createBook result still refers to the resource'],
    ['archiveTwice', 'archiveBook answers 409 to archive done twice on the same resource'],
    ['danglingAuthor', 'createBook rejects field "authorId" naming an author that does not exist with 4xx'],
  ] as [Fault, string][])('catch an API that breaks it (%s)', async (fault, failing) => {
    expect(failingNames(await runAgainst(repoDir, OUT_DIR, startLibrary(fault)))).toEqual([failing]);
  });
});
