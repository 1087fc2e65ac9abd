/**
 * The quality gates' repair round: a rejected file goes once to the model (real `ollama` client,
 * local server speaking Ollama's API) with the compiler's messages; a fixed file is kept, one that
 * still fails is dropped with the reason, and the good files pass untouched.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../lib/db';
import { seedPglite } from '../support/databases';
import { listModelCalls } from '../../lib/db/model-calls';
import { checkSuiteInChildProcess } from '../../lib/generation/gates/check-process';
import { gateSuite } from '../../lib/generation/model/repair';
import { createModelAccess } from '../../lib/llm/from-config';
import type { Artifact } from '../../lib/core/run';
import { createTemplateRenderer } from '../../lib/templates';
import { startFakeOllama, type FakeOllama } from '../support/ollama-server';

const GOOD: Artifact = { path: 'tests/x/good.test.ts', kind: 'test', content: "test('adds', () => {\n  expect(1 + 1).toBe(2);\n});\n" };
const BROKEN: Artifact = { path: 'tests/x/broken.test.ts', kind: 'test', content: "test('adds', () => {\n  const total: number = 'two';\n  expect(total).toBe(2);\n});\n" };
const FIXED = "test('adds', () => {\n  const total: number = 2;\n  expect(total).toBe(2);\n});\n";
const NO_ASSERTION: Artifact = { path: 'tests/x/silent.test.ts', kind: 'test', content: "test('does nothing', () => {\n  const x = 1;\n  void x;\n});\n" };
const BROKEN_PY: Artifact = { path: 'tests/x/test_broken.py', kind: 'test', content: 'def test_x(:\n    assert True\n' };

let dir: string;
let database: Database;
let ollama: FakeOllama;
const noWatch = () => ({ signal: new AbortController().signal, onProgress() {}, stop() {} });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'testloom-gates-'));
  seedPglite(dir);
  database = await openDatabase({ dataDir: dir });
  ollama = await startFakeOllama({ models: ['test-model'] });
});
afterAll(async () => {
  await ollama?.close();
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => ollama.reset());

async function models() {
  const settings = {
    providers: ['ollama' as const],
    ollamaHost: ollama.url,
    models: { 'issue-test-cases': 'test-model', 'scenario-tests': 'test-model', repair: 'test-model', heal: 'test-model' },
    cache: false,
    repositoryBudgetWindowMs: 86_400_000,
  };
  return (await createModelAccess(settings, database.db))!;
}

const gate = async (artifacts: Artifact[], withModel: boolean, runId: string) =>
  gateSuite({
    artifacts,
    repository: 'acme/shop',
    runId,
    models: withModel ? await models() : undefined,
    renderer: createTemplateRenderer(),
    check: (a) => checkSuiteInChildProcess(a),
    watchModelCall: noWatch,
  });

test('without a model, rejected files are dropped with the reason and good ones kept', async () => {
  const result = await gate([GOOD, BROKEN, NO_ASSERTION, BROKEN_PY], false, 'run-no-model');
  expect(result.artifacts).toEqual([GOOD]);
  expect(result.repaired).toEqual([]);
  expect(result.dropped.map((d) => [d.path, d.gate])).toEqual([
    ['tests/x/broken.test.ts', 'typescript'],
    ['tests/x/test_broken.py', 'python-compile'],
    ['tests/x/silent.test.ts', 'assertions'],
  ]);
  expect(result.dropped[0].reason).toMatch(/TS2322: Type 'string' is not assignable to type 'number'/);
  expect(ollama.generations).toHaveLength(0);
});

test('one repair round with the compiler errors: a fixed file is kept, an unfixed one dropped', async () => {
  ollama.enqueue({ json: { content: FIXED } }, { json: { content: 'def test_x(:\n    assert True\n' } });
  const result = await gate([GOOD, BROKEN, BROKEN_PY], true, 'run-repair');
  expect(result.repaired).toEqual(['tests/x/broken.test.ts']);
  expect(result.artifacts).toEqual([GOOD, { ...BROKEN, content: FIXED }]);
  expect(result.dropped.map((d) => d.path)).toEqual(['tests/x/test_broken.py']);

  const prompt = ollama.generations[0].body.messages.at(-1).content as string;
  expect(prompt).toContain('`tests/x/broken.test.ts` was rejected by the quality gate "typescript"');
  expect(prompt).toContain("tests/x/broken.test.ts:2:9: error TS2322: Type 'string' is not assignable to type 'number'.");
  expect(prompt).toContain("const total: number = 'two';");
  expect((await listModelCalls(database.db, 'run-repair')).map((c) => [c.task, c.outcome])).toEqual([['repair', 'ok'], ['repair', 'ok']]);
});
