/**
 * The OpenAI-compatible provider against a small local server speaking Chat Completions with
 * server-sent events, and behind the gateway as the fallback of an unreachable Ollama.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../lib/db';
import { seedPglite } from '../support/databases';
import { createGateway, ModelUnavailableError, OllamaProvider, OpenAICompatibleProvider } from '../../lib/llm';
import { freePort } from '../../lib/net/free-port';

type Script = { text: string; promptTokens?: number; completionTokens?: number } | { status: number; message: string } | { dropAfter: number; text: string };

let server: http.Server;
let baseUrl: string;
const queue: Script[] = [];
const requests: Array<{ headers: http.IncomingHttpHeaders; body: any }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => void (async () => {
    let raw = '';
    for await (const piece of req) raw += piece;
    const body = JSON.parse(raw);
    requests.push({ headers: req.headers, body });
    const script = queue.shift();
    if (!script || 'status' in script) {
      res.writeHead(script?.status ?? 500, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: { message: script?.message ?? 'no scripted response', type: 'server_error' } }));
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const pieces = script.text.match(/.{1,3}/gs) ?? [];
    const event = (value: unknown) => res.write(`data: ${JSON.stringify(value)}\n\n`);
    const chunk = (content: string, finish: string | null = null) => ({
      id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 0, model: `${body.model}-2025`, choices: [{ index: 0, delta: { content }, finish_reason: finish }],
    });
    res.write(': keep-alive comment\n\n');
    for (const [i, piece] of pieces.entries()) {
      if ('dropAfter' in script && i === script.dropAfter) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        res.socket?.destroy();
        return;
      }
      event(chunk(piece));
    }
    event(chunk('', 'stop'));
    if (!('dropAfter' in script)) {
      event({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 0, model: `${body.model}-2025`, choices: [], usage: { prompt_tokens: script.promptTokens ?? 11, completion_tokens: script.completionTokens ?? pieces.length, total_tokens: 0 } });
    }
    res.end('data: [DONE]\n\n');
  })());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
beforeEach(() => { queue.length = 0; requests.length = 0; });

const schema = { type: 'object', required: ['answer'], properties: { answer: { type: 'integer' } } };

test('structured output over SSE: response_format carries the schema, usage gives the tokens, progress per chunk', async () => {
  queue.push({ text: '{"answer": 42}', promptTokens: 20, completionTokens: 6 });
  const provider = new OpenAICompatibleProvider({ baseUrl, apiKey: 'sk-test' });
  const progress: number[] = [];
  const result = await provider.generate({ model: 'gpt-4o-mini', system: 'Be terse.', prompt: 'The answer?', schema, temperature: 0, maxTokens: 64, onProgress: (n) => progress.push(n) });

  expect(result).toEqual({ text: '{"answer": 42}', json: { answer: 42 }, tokensIn: 20, tokensOut: 6, model: 'gpt-4o-mini-2025' });
  expect(progress).toEqual([1, 2, 3, 4, 5]);
  expect(requests[0].headers.authorization).toBe('Bearer sk-test');
  expect(requests[0].body).toEqual({
    model: 'gpt-4o-mini',
    messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'The answer?' }],
    stream: true,
    stream_options: { include_usage: true },
    temperature: 0,
    max_tokens: 64,
    response_format: { type: 'json_schema', json_schema: { name: 'output', schema } },
  });
});

test('faults: 5xx and 429 are unavailable, 400 is not, a cut stream is unavailable, a closed port is refused', async () => {
  const provider = new OpenAICompatibleProvider({ baseUrl });
  const ask = () => provider.generate({ model: 'm', prompt: 'p' });
  queue.push({ status: 503, message: 'overloaded' }, { status: 429, message: 'rate limited' }, { status: 400, message: 'bad schema' }, { dropAfter: 2, text: 'abcdefghijkl' });
  await expect(ask()).rejects.toThrow(new RegExp(`^openai at ${baseUrl}: HTTP 503 for model m: overloaded$`));
  await expect(ask()).rejects.toBeInstanceOf(ModelUnavailableError);
  const bad = await ask().catch((e: unknown) => e);
  expect(bad).not.toBeInstanceOf(ModelUnavailableError);
  expect((bad as Error).message).toContain('HTTP 400 for model m: bad schema');
  await expect(ask()).rejects.toBeInstanceOf(ModelUnavailableError);

  const closed = `http://127.0.0.1:${await freePort()}/v1`;
  await expect(new OpenAICompatibleProvider({ baseUrl: closed }).generate({ model: 'm', prompt: 'p' })).rejects.toThrow(`openai at ${closed}: connection refused`);
});

test('as the gateway fallback behind an unreachable Ollama, with the cost from the price table', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'testloom-llm-openai-'));
  seedPglite(dir);
  const database = await openDatabase({ dataDir: dir });
  try {
    queue.push({ text: '{"answer": 7}', promptTokens: 1000, completionTokens: 500 });
    const gateway = createGateway({
      providers: [new OllamaProvider({ host: `http://127.0.0.1:${await freePort()}` }), new OpenAICompatibleProvider({ baseUrl })],
      db: database.db,
      cacheEnabled: true,
    });
    const runId = randomUUID();
    const result = await gateway.complete({ task: 't', model: 'gpt-4o', prompt: 'q', schema, runId });
    // The server reports a dated name (`gpt-4o-2025`), priced as the model asked for: 1000 × $2.5/M + 500 × $10/M.
    expect(result).toMatchObject({ provider: 'openai', model: 'gpt-4o-2025', json: { answer: 7 }, tokensIn: 1000, tokensOut: 500 });
    expect(result.costUsd).toBeCloseTo(0.0075, 10);
    const calls = await database.db.selectFrom('modelCalls').select(['provider', 'outcome']).where('runId', '=', runId).orderBy('id').execute();
    expect(calls).toEqual([{ provider: 'ollama', outcome: 'unavailable' }, { provider: 'openai', outcome: 'ok' }]);
  } finally {
    await database.close();
    await rm(dir, { recursive: true, force: true });
  }
});
