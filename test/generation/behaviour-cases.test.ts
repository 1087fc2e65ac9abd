/**
 * Behaviour an API of a given shape promises, generated from a small spec that states none of it
 * in words (a PATCH, an enum filter, limit/offset pages, a cursor), then run as a user would
 * against a local API, in Jest and in pytest: all pass when it behaves, and each seeded fault
 * makes exactly its own test fail.
 */
import fs from 'node:fs/promises';
import express from 'express';
import { generateSpecSuite, type GeneratedSuite } from '../../lib/generation';
import { dereferenceSpec } from '../../lib/openapi/dereference';
import { targetRepository } from './spec-fixtures';
import { failingNames, failuresOf, runAgainst, serveOnLoopback, runPytest } from './run-generated';

const OUT_DIR = 'tests/testloom/tasks';

const TASK_FIELDS = {
  title: { type: 'string', minLength: 1, maxLength: 40 },
  state: { type: 'string', enum: ['todo', 'doing', 'done'] },
  note: { type: 'string', maxLength: 80, nullable: true },
};
const json = (schema: object) => ({ 'application/json': { schema } });
const page = (next: object) => json({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Task' } }, next } });

const SPEC = {
  openapi: '3.0.3',
  info: { title: 'Tasks', version: '1' },
  paths: {
    '/boards': {
      post: {
        operationId: 'createBoard',
        requestBody: { required: true, content: json({ type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 30 } } }) },
        responses: { '201': { description: 'created', content: json({ type: 'object', required: ['id', 'name'], properties: { id: { type: 'integer' }, name: { type: 'string' } } }) }, '400': { description: 'invalid' } },
      },
    },
    '/boards/{boardId}/tasks': {
      parameters: [{ name: 'boardId', in: 'path', required: true, schema: { type: 'integer' } }],
      get: {
        operationId: 'listTasks',
        parameters: [
          { name: 'state', in: 'query', schema: { type: 'string', enum: ['todo', 'doing', 'done'] } },
          { name: 'origin', in: 'query', schema: { type: 'string', enum: ['web', 'import'] } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 50 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
        ],
        responses: { '200': { description: 'a page', content: page({ type: 'integer', nullable: true }) }, '404': { description: 'unknown board' } },
      },
      post: {
        operationId: 'createTask',
        requestBody: { required: true, content: json({ type: 'object', required: ['title'], properties: TASK_FIELDS }) },
        responses: { '201': { description: 'created', content: json({ $ref: '#/components/schemas/Task' }) }, '400': { description: 'invalid' }, '404': { description: 'unknown board' } },
      },
    },
    '/boards/{boardId}/tasks/{taskId}': {
      parameters: [{ name: 'boardId', in: 'path', required: true, schema: { type: 'integer' } }, { name: 'taskId', in: 'path', required: true, schema: { type: 'integer' } }],
      get: {
        operationId: 'getTask',
        responses: { '200': { description: 'the task', content: json({ $ref: '#/components/schemas/Task' }) }, '404': { description: 'unknown' } },
      },
      patch: {
        operationId: 'updateTask',
        requestBody: { required: true, content: json({ type: 'object', properties: TASK_FIELDS }) },
        responses: { '200': { description: 'updated', content: json({ $ref: '#/components/schemas/Task' }) }, '400': { description: 'invalid' }, '404': { description: 'unknown' } },
      },
    },
  },
  components: {
    schemas: {
      Task: {
        type: 'object',
        required: ['id', 'title', 'state', 'note', 'origin'],
        // Set by the API, never by a client.
        properties: { id: { type: 'integer' }, ...TASK_FIELDS, origin: { type: 'string', enum: ['web', 'import'], default: 'web', readOnly: true } },
      },
    },
  },
};

type Fault = 'patchResetsOmitted' | 'nullNote500' | 'stateNotStored' | 'stateFilterIgnored' | 'originFilterIgnored' | 'offsetOffByOne';

interface Task { id: number; boardId: number; title: string; state: string; note: string | null; origin: 'web' | 'import' }

/** The tasks API; each fault breaks one behaviour the spec's shape promises. */
async function startTasks(fault?: Fault): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const boards = new Map<number, string>();
  const tasks: Task[] = [];
  let nextId = 1;
  const app = express();
  app.use(express.json());
  const fail = (res: express.Response, status: number, message: string) => res.status(status).json({ message });
  const valid = (body: Record<string, unknown>, partial: boolean) =>
    (partial ? body.title === undefined : false) || (typeof body.title === 'string' && body.title.length > 0 && body.title.length <= 40)
      ? (body.state === undefined || ['todo', 'doing', 'done'].includes(body.state as string)) && (body.note === undefined || body.note === null || (typeof body.note === 'string' && body.note.length <= 80))
      : false;
  const shown = ({ boardId: _board, ...task }: Task) => task;
  app.post('/boards', (req, res) => {
    const { name } = (req.body ?? {}) as { name?: unknown };
    if (typeof name !== 'string' || !name || name.length > 30) return fail(res, 400, 'invalid');
    const id = nextId++;
    boards.set(id, name);
    res.status(201).json({ id, name });
  });
  app.param('boardId', (req, res, next) => (boards.has(Number(req.params.boardId)) ? next() : fail(res, 404, 'unknown board')));
  app.post('/boards/:boardId/tasks', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!valid(body, false)) return fail(res, 400, 'invalid');
    const task: Task = { id: nextId++, boardId: Number(req.params.boardId), title: body.title as string, state: (body.state as string) ?? 'todo', note: (body.note as string) ?? null, origin: 'web' };
    tasks.push(task);
    res.status(201).json(shown(task));
  });
  app.get('/boards/:boardId/tasks', (req, res) => {
    const { state, origin, limit = '20', offset = '0' } = req.query as Record<string, string>;
    const integer = (text: string, min: number, max: number) => /^\d+$/.test(text) && Number(text) >= min && Number(text) <= max;
    if ((state !== undefined && !['todo', 'doing', 'done'].includes(state)) || (origin !== undefined && !['web', 'import'].includes(origin)) || !integer(limit, 1, 50) || !integer(offset, 0, 1e9)) return fail(res, 400, 'invalid query');
    const all = tasks.filter((task) => task.boardId === Number(req.params.boardId) && (!state || fault === 'stateFilterIgnored' || task.state === state)
      && (!origin || fault === 'originFilterIgnored' || task.origin === origin));
    const start = Number(offset) + (fault === 'offsetOffByOne' && Number(offset) > 0 ? 1 : 0);
    const items = all.slice(start, start + Number(limit));
    res.json({ items: items.map(shown), next: start + items.length < all.length ? start + items.length : null });
  });
  const find = (req: express.Request) => tasks.find((task) => task.boardId === Number(req.params.boardId) && task.id === Number(req.params.taskId));
  app.get('/boards/:boardId/tasks/:taskId', (req, res) => {
    const task = find(req);
    return task ? res.json(shown(task)) : fail(res, 404, 'unknown');
  });
  app.patch('/boards/:boardId/tasks/:taskId', (req, res) => {
    const task = find(req);
    if (!task) return fail(res, 404, 'unknown');
    const body = req.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || !valid(body, true)) return fail(res, 400, 'invalid');
    if (fault === 'nullNote500' && body.note === null) return fail(res, 500, 'Cannot read properties of null');
    if (fault === 'patchResetsOmitted') Object.assign(task, { state: 'todo', note: null });
    const updated: Task = { ...task };
    for (const field of ['title', 'state', 'note'] as const) if (field in body) (updated as unknown as Record<string, unknown>)[field] = body[field];
    // The answer shows the change; the store keeps the old state.
    Object.assign(task, updated, fault === 'stateNotStored' ? { state: task.state } : {});
    res.json(shown(updated));
  });
  return serveOnLoopback(app);
}

/** In the suite's order: the list's cases, then the PATCH's. */
const BEHAVIOUR_TESTS: [Fault, string][] = [
  ['stateFilterIgnored', 'listTasks lists only items whose "state" is "todo" when filtered by state'],
  // Not settable: filtered by the value a new task does not start with.
  ['originFilterIgnored', 'listTasks lists only items whose "origin" is "import" when filtered by origin'],
  ['offsetOffByOne', 'listTasks pages of limit=1 by offset neither skip nor repeat items'],
  ['patchResetsOmitted', 'updateTask keeps "state", "note" when only "title" is sent'],
  ['nullNote500', 'updateTask clears "note" when it is sent as null'],
  ['stateNotStored', 'updateTask stores "state" as sent'],
];

describe('behaviour checks', () => {
  let suite: GeneratedSuite;
  let repoDir: string;

  beforeAll(async () => {
    suite = generateSpecSuite({ api: await dereferenceSpec(structuredClone(SPEC)), specId: 'tasks', outDir: OUT_DIR });
    repoDir = await targetRepository(suite.artifacts, 'testloom-behaviour-');
  });
  afterAll(async () => {
    if (repoDir) await fs.rm(repoDir, { recursive: true, force: true });
  });

  test('are cases on resources the test makes, checked on their last steps', () => {
    const cases = suite.cases.filter((c) => c.kind === 'behaviour');
    expect(cases.map((c) => `${c.operationId} ${c.title}`)).toEqual(BEHAVIOUR_TESTS.map(([, title]) => title));
    const shape = (id: string) => suite.cases.find((c) => c.id === id)!.steps!.map((s) => `${s.operationId}${s.setup ? ' (setup)' : ''}${s.checks ? ` ${s.checks.map((c) => c.kind).join(',')}` : ''}`);
    expect(shape('updateTask/behaviour/keeps-omitted')).toEqual(['createBoard (setup)', 'createTask (setup)', 'updateTask (setup)', 'getTask same-as,same-as']);
    expect(shape('listTasks/behaviour/filter.state')).toEqual(['createBoard (setup)', 'createTask (setup)', 'createTask (setup)', 'listTasks each-item']);
    expect(shape('listTasks/behaviour/filter.origin')).toEqual(['createBoard (setup)', 'createTask (setup)', 'listTasks each-item']);
    expect(shape('listTasks/behaviour/pages')).toEqual([
      'createBoard (setup)', 'createTask (setup)', 'createTask (setup)', 'createTask (setup)', 'listTasks (setup)', 'listTasks page-of', 'listTasks page-of',
    ]);
    const document = suite.artifacts.find((a) => a.path.endsWith('test-cases.md'))!.content;
    expect(document).toContain('[every item\'s "state" is "todo"]');
    expect(document).toMatch(/\["state" as in (\w+); "note" as in \1\]/);
  });

  test('pass against an API that behaves', async () => {
    const results = await runAgainst(repoDir, OUT_DIR, startTasks());
    expect(failuresOf(results)).toEqual([]);
    expect(results.numPassedTests).toBe(suite.cases.length);
  });

  test.each(BEHAVIOUR_TESTS)('catch an API that breaks it (%s)', async (fault, failing) => {
    expect(failingNames(await runAgainst(repoDir, OUT_DIR, startTasks(fault)))).toEqual([failing]);
  });

  test('in pytest too: all pass against the API that behaves, the offset fault fails its test alone', async () => {
    const pytestSuite = generateSpecSuite({ api: await dereferenceSpec(structuredClone(SPEC)), specId: 'tasks', outDir: OUT_DIR, framework: 'pytest' });
    const dir = await targetRepository(pytestSuite.artifacts, 'testloom-behaviour-py-');
    const good = await startTasks();
    const faulty = await startTasks('offsetOffByOne');
    try {
      const passing = await runPytest(dir, OUT_DIR, good.baseUrl);
      expect(passing.text).toContain(`${pytestSuite.cases.length} passed`);
      const failing = await runPytest(dir, OUT_DIR, faulty.baseUrl);
      expect(failing.text).toContain('1 failed');
      expect(failing.text).toContain('FAILED tests/testloom/tasks/test_untagged.py::TestListTasks::test_pages_of_limit_1_by_offset_neither_skip_nor_repeat_items');
      expect(failing.text).toContain('items skipped or repeated');
    } finally {
      await Promise.all([good.close(), faulty.close(), fs.rm(dir, { recursive: true, force: true })]);
    }
  });
});
