/**
 * The LLM gateway over the real `ollama` client against a local server speaking the Ollama API
 * (test/support/ollama-server.ts), with call records and the response cache in PGlite.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../lib/db';
import { seedPglite } from '../support/databases';
import {
  BudgetExceededError,
  createGateway,
  type CompleteRequest,
  InvalidModelOutputError,
  type JSONSchema,
  ModelUnavailableError,
  OllamaProvider,
  tokensUsed,
} from '../../lib/llm';
import { freePort } from '../../lib/net/free-port';
import { startFakeOllama, type FakeOllama } from '../support/ollama-server';

const MODEL = 'qwen2.5-coder:7b';

const testCaseSchema: JSONSchema = {
  type: 'object',
  required: ['title', 'steps'],
  additionalProperties: false,
  properties: {
    title: { type: 'string', minLength: 1 },
    steps: {
      type: 'array',
      minItems: 1,
      items: { type: 'object', required: ['action', 'expected'], properties: { action: { type: 'string' }, expected: { type: 'string' } } },
    },
  },
};
const valid = { title: 'Create a pet', steps: [{ action: 'POST /pets with a name', expected: '201 and the pet' }] };

let dir: string;
let database: Database;
let ollama: FakeOllama;
let closedUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'testloom-llm-'));
  seedPglite(dir);
  database = await openDatabase({ dataDir: dir });
  ollama = await startFakeOllama({ models: [MODEL] });
  closedUrl = `http://127.0.0.1:${await freePort()}`;
});

afterAll(async () => {
  await ollama?.close();
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => ollama.reset());
afterEach(() => expect(ollama.pending).toBe(0)); // every scripted answer was asked for

/** A request unique to the test, so runs, repositories and cache keys never collide across tests. */
function request(overrides: Partial<CompleteRequest> = {}): CompleteRequest {
  const id = randomUUID();
  return {
    task: 'issue-test-cases',
    model: MODEL,
    system: 'You write API test cases.',
    prompt: `Write one test case for creating a pet. (${id})`,
    schema: testCaseSchema,
    runId: `run-${id}`,
    repository: `acme/${id}`,
    ...overrides,
  };
}

const gateway = (opts: { cacheEnabled?: boolean; providers?: OllamaProvider[] } = {}) =>
  createGateway({ providers: opts.providers ?? [new OllamaProvider({ host: ollama.url })], db: database.db, cacheEnabled: opts.cacheEnabled ?? false });

const callsOf = (runId: string) => database.db.selectFrom('modelCalls').selectAll().where('runId', '=', runId).orderBy('id').execute();

test('structured output valid the first time: format carries the schema, tokens and latency are recorded', async () => {
  ollama.enqueue({ json: valid, promptTokens: 42 });
  const req = request({ temperature: 0.2, maxTokens: 512 });
  const result = await gateway().complete(req);

  expect(result).toMatchObject({ json: valid, provider: 'ollama', model: MODEL, tokensIn: 42, cacheHit: false, repairs: 0, costUsd: 0 });
  expect(JSON.parse(result.text)).toEqual(valid);
  expect(result.tokensOut).toBeGreaterThan(1);

  expect(ollama.generations).toHaveLength(1);
  const sent = ollama.generations[0];
  expect(sent.path).toBe('/api/chat');
  expect(sent.body).toMatchObject({
    model: MODEL,
    stream: true,
    format: testCaseSchema,
    options: { temperature: 0.2, num_predict: 512 },
    messages: [
      { role: 'system', content: req.system },
      { role: 'user', content: req.prompt },
    ],
  });

  const calls = await callsOf(req.runId!);
  expect(calls).toHaveLength(1);
  expect(calls[0]).toMatchObject({
    runId: req.runId,
    repository: req.repository,
    task: 'issue-test-cases',
    provider: 'ollama',
    model: MODEL,
    attempt: 0,
    tokensIn: 42,
    tokensOut: result.tokensOut,
    costUsd: 0,
    cacheHit: false,
    outcome: 'ok',
    error: null,
  });
  expect(calls[0].latencyMs).toBeGreaterThanOrEqual(0);
  expect(calls[0].createdAt).toBeInstanceOf(Date);
});

test('streaming: onProgress fires once per chunk with the tokens so far', async () => {
  const text = JSON.stringify(valid);
  const chunks = text.match(/.{1,5}/g)!;
  ollama.enqueue({ json: valid, chunks });
  const progress: number[] = [];
  await gateway().complete(request({ onProgress: (n) => progress.push(n) }));
  expect(progress).toEqual(chunks.map((_, i) => i + 1));
});

test('invalid output is repaired: the repair prompt carries the errors and the previous output', async () => {
  const broken = { title: 'Create a pet', steps: [{ action: 'POST /pets' }] };
  ollama.enqueue({ json: broken }, { text: `\`\`\`json\n${JSON.stringify(valid)}\n\`\`\`` });
  const req = request();
  const result = await gateway().complete(req);

  expect(result).toMatchObject({ json: valid, repairs: 1 });
  const [, repair] = ollama.generations;
  const repairPrompt: string = repair.body.messages.at(-1).content;
  expect(repairPrompt).toContain(req.prompt);
  expect(repairPrompt).toContain("/steps/0: must have required property 'expected'");
  expect(repairPrompt).toContain(JSON.stringify(broken));
  expect(repair.body.format).toEqual(testCaseSchema);

  const calls = await callsOf(req.runId!);
  expect(calls.map((c) => [c.attempt, c.outcome])).toEqual([[0, 'invalid'], [1, 'ok']]);
  expect(calls[0].error).toContain("must have required property 'expected'");
  expect(result.tokensOut).toBe(calls[0].tokensOut + calls[1].tokensOut);
});

test('invalid beyond maxRepairs → InvalidModelOutputError carrying the raw output', async () => {
  ollama.enqueue({ text: 'Sure! Here is your test case: {title:' }, { json: { title: '' } }, { json: { steps: [] } });
  const req = request({ maxRepairs: 2 });
  const error = await gateway().complete(req).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(InvalidModelOutputError);
  const invalid = error as InvalidModelOutputError;
  expect(invalid.raw).toBe('{"steps":[]}');
  expect(invalid.errors).toEqual(expect.arrayContaining(["(root): must have required property 'title'", '/steps: must NOT have fewer than 1 items']));
  expect(invalid.message).toContain('after 2 repairs');
  expect(ollama.generations).toHaveLength(3);
  expect(ollama.generations[1].body.messages.at(-1).content).toContain('output is not JSON');

  const calls = await callsOf(req.runId!);
  expect(calls.map((c) => [c.attempt, c.outcome])).toEqual([[0, 'invalid'], [1, 'invalid'], [2, 'invalid']]);
});

test('fallback: the first provider is unreachable, the second answers; both attempts are recorded', async () => {
  ollama.enqueue({ json: valid });
  const providers = [new OllamaProvider({ host: closedUrl, name: 'ollama-primary' }), new OllamaProvider({ host: ollama.url, name: 'ollama-secondary' })];
  const req = request();
  const result = await gateway({ providers }).complete(req);

  expect(result).toMatchObject({ provider: 'ollama-secondary', json: valid });
  const calls = await callsOf(req.runId!);
  expect(calls.map((c) => [c.provider, c.outcome])).toEqual([['ollama-primary', 'unavailable'], ['ollama-secondary', 'ok']]);
  expect(calls[0].error).toContain(`ollama-primary at ${closedUrl}: connection refused`);
  expect(calls[0].tokensIn + calls[0].tokensOut).toBe(0);
});

test('fallback also on a server error and on a model the server does not have', async () => {
  ollama.enqueue({ fault: 'status', status: 500, error: 'llama runner process has terminated' }, { json: valid });
  const providers = [
    new OllamaProvider({ host: ollama.url, name: 'a' }),
    new OllamaProvider({ host: ollama.url, name: 'b' }),
    new OllamaProvider({ host: ollama.url, name: 'c' }),
  ];
  const req = request();
  await gateway({ providers }).complete(req);
  const calls = await callsOf(req.runId!);
  expect(calls.map((c) => [c.provider, c.outcome])).toEqual([['a', 'unavailable'], ['b', 'ok']]);
  expect(calls[0].error).toContain('HTTP 500');
  expect(calls[0].error).toContain('llama runner process has terminated');

  const missing = request({ model: 'not-pulled:1b' });
  const error = await gateway({ providers: providers.slice(0, 1) }).complete(missing).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelUnavailableError);
  expect((error as Error).message).toContain('HTTP 404');
  expect((error as Error).message).toContain('model "not-pulled:1b" not found');
});

test('all providers unreachable → ModelUnavailableError listing each', async () => {
  const otherClosed = `http://127.0.0.1:${await freePort()}`;
  const providers = [new OllamaProvider({ host: closedUrl, name: 'one' }), new OllamaProvider({ host: otherClosed, name: 'two' })];
  const req = request();
  const error = await gateway({ providers }).complete(req).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(ModelUnavailableError);
  const unavailable = error as ModelUnavailableError;
  expect(unavailable.failures.map((f) => f.provider)).toEqual(['one', 'two']);
  expect(unavailable.message).toContain(`one at ${closedUrl}: connection refused`);
  expect(unavailable.message).toContain(`two at ${otherClosed}: connection refused`);
  expect((await callsOf(req.runId!)).map((c) => c.outcome)).toEqual(['unavailable', 'unavailable']);
});

test('cache: a second identical call makes no HTTP request and is recorded as a cache hit', async () => {
  ollama.enqueue({ json: valid });
  const gw = gateway({ cacheEnabled: true });
  const req = request();
  const first = await gw.complete(req);
  const second = await gw.complete({ ...req });

  expect(ollama.generations).toHaveLength(1);
  expect(second).toMatchObject({ json: valid, text: first.text, cacheHit: true, tokensIn: 0, tokensOut: 0, provider: 'ollama', model: MODEL });
  const calls = await callsOf(req.runId!);
  expect(calls.map((c) => [c.cacheHit, c.outcome, c.tokensIn, c.costUsd])).toEqual([
    [false, 'ok', first.tokensIn, 0],
    [true, 'ok', 0, 0],
  ]);

  // Anything that shapes the answer is part of the key: a different temperature asks the model again.
  ollama.enqueue({ json: valid });
  expect(await gw.complete({ ...req, temperature: 0.7 })).toMatchObject({ cacheHit: false });
  expect(ollama.generations).toHaveLength(2);
  // A gateway with the cache disabled neither reads nor hits it.
  ollama.enqueue({ json: valid });
  expect(await gateway({ cacheEnabled: false }).complete(req)).toMatchObject({ cacheHit: false });
});

test('the cache never keeps invalid output', async () => {
  ollama.enqueue({ json: { title: 'no steps' } }, { json: { title: 'still none' } });
  const gw = gateway({ cacheEnabled: true });
  const req = request({ maxRepairs: 1 });
  await expect(gw.complete(req)).rejects.toBeInstanceOf(InvalidModelOutputError);
  ollama.enqueue({ json: valid });
  expect(await gw.complete(req)).toMatchObject({ cacheHit: false, json: valid });
});

test('run budget exceeded → BudgetExceededError before any request', async () => {
  ollama.enqueue({ json: valid, promptTokens: 100, evalTokens: 50 });
  const req = request({ budget: { runTokens: 150 } });
  const gw = gateway();
  await gw.complete(req); // 150 tokens: the budget is now used up
  expect(await tokensUsed(database.db, { runId: req.runId })).toBe(150);

  const error = await gw.complete({ ...req, prompt: 'another question' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BudgetExceededError);
  expect((error as Error).message).toBe(`run ${req.runId} used 150 of 150 tokens`);
  expect(ollama.generations).toHaveLength(1);
  const calls = await callsOf(req.runId!);
  expect(calls.map((c) => c.outcome)).toEqual(['ok', 'budget_exceeded']);
});

test('repository budget counts the calls of every run of that repository', async () => {
  const repository = `acme/${randomUUID()}`;
  ollama.enqueue({ json: valid, promptTokens: 30, evalTokens: 10 }, { json: valid, promptTokens: 30, evalTokens: 10 });
  const gw = createGateway({ providers: [new OllamaProvider({ host: ollama.url })], db: database.db, cacheEnabled: false, budget: { repositoryTokens: 80 } });
  await gw.complete(request({ repository }));
  await gw.complete(request({ repository }));
  const error = await gw.complete(request({ repository })).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BudgetExceededError);
  expect(error).toMatchObject({ scope: 'repository', subject: repository, used: 80, limit: 80 });
  expect((error as Error).message).toBe(`repository ${repository} used 80 of 80 tokens`);
  expect(ollama.generations).toHaveLength(2);
  // A later window starts from zero.
  ollama.enqueue({ json: valid });
  await expect(gw.complete(request({ repository, budget: { repositorySince: new Date(Date.now() + 60_000) } }))).resolves.toMatchObject({ json: valid });
});

test('a budget also stops repairs', async () => {
  ollama.enqueue({ json: { title: 'x' }, promptTokens: 90, evalTokens: 20 });
  const req = request({ budget: { runTokens: 100 } });
  await expect(gateway().complete(req)).rejects.toThrow(`run ${req.runId} used 110 of 100 tokens`);
  expect(ollama.generations).toHaveLength(1);
});

test('hosted models get an estimated cost from the price table; unknown ones an unknown cost', async () => {
  const hosted = { name: 'hosted', local: false, generate: async () => ({ text: '"ok"', tokensIn: 1_000_000, tokensOut: 500_000, model: 'gpt-4o-mini' }) };
  const unknown = { name: 'hosted', local: false, generate: async () => ({ text: '"ok"', tokensIn: 10, tokensOut: 5, model: 'mystery-1' }) };
  const req = request({ schema: { type: 'string' } });
  expect(await createGateway({ providers: [hosted], db: database.db, cacheEnabled: false }).complete(req)).toMatchObject({ json: 'ok', costUsd: 0.45 });
  expect(await createGateway({ providers: [unknown], db: database.db, cacheEnabled: false }).complete(req)).toMatchObject({ costUsd: null });
  expect((await callsOf(req.runId!)).map((c) => c.costUsd)).toEqual([0.45, null]);
});

test('without a schema the text comes back as is', async () => {
  ollama.enqueue({ text: 'Just prose.' });
  const result = await gateway().complete(request({ schema: undefined }));
  expect(result.text).toBe('Just prose.');
  expect(result.json).toBeUndefined();
  expect(ollama.generations[0].body.format).toBeUndefined();
});
