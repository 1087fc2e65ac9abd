/**
 * The in-process llama.cpp provider with a real GGUF model (stories260K, or SmolLM2-135M where
 * setup could only get that one; see lib/llm/smoke-test-gguf.ts), directly and behind the
 * gateway with call records and the response cache in PGlite.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import Ajv from 'ajv';
import { loadConfig } from '../../lib/config';
import { openDatabase, type Database } from '../../lib/db';
import { seedPglite } from '../support/databases';
import { createGateway, type JSONSchema, LlamaCppProvider, ModelUnavailableError, unloadLlamaModels } from '../../lib/llm';
import { loadModel } from '../../lib/llm/llama-cpp-models';
import { installedSmokeTestGguf, missingSmokeTestGgufMessage } from '../../lib/llm/smoke-test-gguf';

const testCaseSchema: JSONSchema = {
  type: 'object',
  required: ['title', 'priority', 'steps'],
  additionalProperties: false,
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 60 },
    priority: { enum: ['low', 'medium', 'high'] },
    steps: { type: 'array', minItems: 1, maxItems: 3, items: { type: 'string', maxLength: 60 } },
  },
};
const validTestCase = new Ajv({ allErrors: true }).compile(testCaseSchema);

const SYSTEM = 'You write test cases for an API as JSON.';
const PROMPT = 'Write one test case for creating a pet.';

let modelPath: string;
let dir: string;
let database: Database | undefined;
/** The migrated database global setup made (test/support/databases.ts). */
const openSeeded = (dataDir: string) => {
  seedPglite(dataDir);
  return openDatabase({ dataDir });
};
/** One thread: the machine is shared, and a model this small gains nothing from more. */
const provider = (options: { name?: string; modelPath?: string } = {}) => new LlamaCppProvider({ modelPath, threads: 1, contextSize: 1024, ...options });

beforeAll(async () => {
  const { modelDir } = loadConfig().retrieval.embedding;
  const installed = installedSmokeTestGguf(modelDir);
  if (!installed) throw new Error(missingSmokeTestGgufMessage(modelDir));
  modelPath = installed;
  dir = await mkdtemp(join(tmpdir(), 'testloom-llama-'));
});

afterAll(async () => {
  await unloadLlamaModels();
  await database?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a schema-constrained call returns JSON valid against the schema, streaming a progress call per token', async () => {
  const progress: number[] = [];
  const result = await provider().generate({ model: 'any', system: SYSTEM, prompt: PROMPT, schema: testCaseSchema, onProgress: (n) => progress.push(n) });

  expect(validTestCase(result.json)).toBe(true);
  expect(validTestCase.errors).toBeNull();
  expect(JSON.parse(result.text)).toEqual(result.json);
  expect(result.model).toBe(basename(modelPath));
  expect(result.tokensIn).toBeGreaterThan(5);
  expect(result.tokensOut).toBeGreaterThan(5);
  // Tokens arrive one by one, each reported as it comes: 1, 2, 3, … tokensOut.
  expect(progress).toEqual(Array.from({ length: result.tokensOut }, (_, i) => i + 1));
});

test('without a schema the model continues the text freely, up to maxTokens', async () => {
  const result = await provider().generate({ model: 'any', prompt: 'Once upon a time', maxTokens: 24 });
  expect(result.json).toBeUndefined();
  expect(result.text.trim().length).toBeGreaterThan(10);
  expect(result.tokensOut).toBe(24);
});

test('abort stops the generation mid-answer with the signal’s reason, and the provider stays usable', async () => {
  const controller = new AbortController();
  const reason = new Error('heartbeat timed out');
  const progress: number[] = [];
  const llama = provider();
  const error = await llama
    .generate({
      model: 'any',
      prompt: 'Once upon a time',
      maxTokens: 400,
      signal: controller.signal,
      onProgress: (n) => {
        progress.push(n);
        if (n === 5) controller.abort(reason);
      },
    })
    .catch((e: unknown) => e);

  expect(error).toBe(reason);
  // Generation stopped at the abort: at most the token already being evaluated follows it, not the 400 asked for.
  expect(progress.length).toBeGreaterThanOrEqual(5);
  expect(progress.length).toBeLessThanOrEqual(6);

  await expect(llama.generate({ model: 'any', prompt: 'Once upon a time', maxTokens: 8 })).resolves.toMatchObject({ tokensOut: 8 });
  // An already aborted signal is refused before any work.
  await expect(llama.generate({ model: 'any', prompt: 'x', signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
});

test('through the gateway: validated JSON, the call recorded with its tokens, the identical second call answered from the cache', async () => {
  database = await openSeeded(join(dir, 'db'));
  const gateway = createGateway({ providers: [provider()], db: database.db, cacheEnabled: true });
  const runId = `run-${randomUUID()}`;
  const request = { task: 'issue-test-cases', model: 'configured-model', system: SYSTEM, prompt: `${PROMPT} (${runId})`, schema: testCaseSchema, runId };
  const progress: number[] = [];

  const first = await gateway.complete({ ...request, onProgress: (n) => progress.push(n) });
  const second = await gateway.complete({ ...request });

  expect(validTestCase(first.json)).toBe(true);
  expect(first).toMatchObject({ provider: 'llama-cpp', model: basename(modelPath), cacheHit: false, repairs: 0, costUsd: 0 });
  expect(progress.at(-1)).toBe(first.tokensOut);
  expect(second).toMatchObject({ json: first.json, text: first.text, cacheHit: true, tokensIn: 0, tokensOut: 0, provider: 'llama-cpp' });

  const calls = await database.db.selectFrom('modelCalls').selectAll().where('runId', '=', runId).orderBy('id').execute();
  expect(calls.map((c) => [c.provider, c.model, c.outcome, c.cacheHit, c.tokensIn, c.tokensOut, c.costUsd])).toEqual([
    ['llama-cpp', basename(modelPath), 'ok', false, first.tokensIn, first.tokensOut, 0],
    ['llama-cpp', basename(modelPath), 'ok', true, 0, 0, 0],
  ]);
  expect(first.tokensIn).toBeGreaterThan(0);
  expect(first.tokensOut).toBeGreaterThan(0);
});

test('a missing GGUF file → ModelUnavailableError naming the path and how to get a model; the gateway falls back', async () => {
  const missing = join(dir, 'no-such-model.gguf');
  const error = await provider({ modelPath: missing }).generate({ model: 'any', prompt: 'x' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelUnavailableError);
  expect((error as Error).message).toBe(
    `llama-cpp: GGUF model file ${missing} does not exist; download a GGUF model (e.g. a quantised one from Hugging Face) and set TESTLOOM_LLAMA_MODEL_PATH to its file, ` +
      'or run `bash infra/setup.sh`, which installs a tiny smoke-test model (stories260K.gguf) into TESTLOOM_MODEL_DIR (default .models)',
  );

  database ??= await openSeeded(join(dir, 'db'));
  const gateway = createGateway({ providers: [provider({ modelPath: missing }), provider({ name: 'llama-cpp-2' })], db: database.db, cacheEnabled: false });
  const runId = `run-${randomUUID()}`;
  const completion = await gateway.complete({ task: 'issue-test-cases', model: 'any', prompt: 'Once upon a time', maxTokens: 4, runId });
  expect(completion.provider).toBe('llama-cpp-2');
  const calls = await database.db.selectFrom('modelCalls').selectAll().where('runId', '=', runId).orderBy('id').execute();
  expect(calls.map((c) => [c.provider, c.outcome])).toEqual([['llama-cpp', 'unavailable'], ['llama-cpp-2', 'ok']]);
  expect(calls[0].error).toContain(`${missing} does not exist`);
});

test('a file that is not a GGUF model → ModelUnavailableError naming it', async () => {
  const garbage = join(dir, 'not-a-model.gguf');
  await writeFile(garbage, 'this is not a GGUF file\n'.repeat(100));
  const error = await provider({ modelPath: garbage }).generate({ model: 'any', prompt: 'x' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelUnavailableError);
  expect((error as Error).message).toContain(`llama-cpp: cannot load ${garbage} as a GGUF model: `);
});

test('the model is loaded once per file and shared by every provider naming it', async () => {
  // Concurrent first uses, one through a relative path to the same file.
  const [a, b] = await Promise.all([loadModel(modelPath, false), loadModel(relative(process.cwd(), modelPath), false)]);
  expect(b.model).toBe(a.model);
  await provider().generate({ model: 'any', prompt: 'Once', maxTokens: 2 });
  expect((await loadModel(modelPath, false)).model).toBe(a.model);
});

test('bad options are refused when the provider is made', () => {
  expect(() => new LlamaCppProvider({ modelPath: '' })).toThrow('llama-cpp provider: modelPath (a GGUF file) is required');
  expect(() => new LlamaCppProvider({ modelPath, contextSize: 0 })).toThrow('llama-cpp provider: contextSize must be a positive integer, got 0');
  expect(() => new LlamaCppProvider({ modelPath, threads: 1.5 })).toThrow('llama-cpp provider: threads must be a positive integer, got 1.5');
});
