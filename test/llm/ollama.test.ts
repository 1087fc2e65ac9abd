/**
 * The Ollama provider's fault handling, over the real `ollama` client against the scripted
 * local Ollama server: what reaches the gateway when the server errors, hangs, cuts the stream
 * or sends garbage, and that a cancelled call stops at once.
 */
import { Ollama } from 'ollama';
import { ModelUnavailableError, OllamaProvider } from '../../lib/llm';
import { startFakeOllama, type FakeOllama } from '../support/ollama-server';

const MODEL = 'llama3.2:3b';
let ollama: FakeOllama;

beforeAll(async () => {
  ollama = await startFakeOllama({ models: [MODEL], version: '0.12.6' });
});
afterAll(() => ollama?.close());
beforeEach(() => ollama.reset());

const ask = (provider: OllamaProvider, extra: { signal?: AbortSignal; onProgress?(n: number): void } = {}) =>
  provider.generate({ model: MODEL, prompt: 'Say hello', ...extra });

test('the fake server answers the real client on /api/version, /api/tags and /api/generate', async () => {
  const client = new Ollama({ host: ollama.url });
  expect(await client.version()).toEqual({ version: '0.12.6' });
  expect((await client.list()).models.map((m) => m.name)).toEqual([MODEL]);
  ollama.enqueue({ text: 'Hello there', chunks: ['Hel', 'lo ', 'there'], promptTokens: 3 });
  const pieces: string[] = [];
  let final: { prompt_eval_count: number; eval_count: number; total_duration: number } | undefined;
  for await (const part of await client.generate({ model: MODEL, prompt: 'hi', stream: true })) {
    if (part.done) final = part;
    else pieces.push(part.response ?? '');
  }
  expect(pieces).toEqual(['Hel', 'lo ', 'there']);
  expect(final).toMatchObject({ prompt_eval_count: 3, eval_count: 3 });
  expect(final!.total_duration).toBeGreaterThan(0);
});

test('text output with token counts from the final chunk', async () => {
  ollama.enqueue({ text: 'Hello, world', promptTokens: 7, evalTokens: 4 });
  const progress: number[] = [];
  const result = await ask(new OllamaProvider({ host: ollama.url }), { onProgress: (n) => progress.push(n) });
  expect(result).toEqual({ text: 'Hello, world', tokensIn: 7, tokensOut: 4, model: MODEL });
  expect(progress).toEqual([1, 2, 3]);
  expect(ollama.generations[0].body.format).toBeUndefined();
});

test('HTTP 500 and 503 → ModelUnavailableError naming the host; 400 is the caller’s error', async () => {
  const provider = new OllamaProvider({ host: ollama.url });
  ollama.enqueue({ fault: 'status', status: 500, error: 'out of memory' }, { fault: 'status', status: 503, error: 'server busy' }, { fault: 'status', status: 400, error: 'invalid format' });
  await expect(ask(provider)).rejects.toThrow(`ollama at ${ollama.url}: HTTP 500 for model ${MODEL}: out of memory`);
  await expect(ask(provider)).rejects.toBeInstanceOf(ModelUnavailableError);
  const badRequest = await ask(provider).catch((e: unknown) => e);
  expect(badRequest).not.toBeInstanceOf(ModelUnavailableError);
  expect((badRequest as Error).message).toBe(`ollama at ${ollama.url}: HTTP 400 for model ${MODEL}: invalid format`);
});

test('connection dropped mid-stream → ModelUnavailableError', async () => {
  ollama.enqueue({ fault: 'drop', afterChunks: 2, text: 'Hello, world' });
  const progress: number[] = [];
  const error = await ask(new OllamaProvider({ host: ollama.url }), { onProgress: (n) => progress.push(n) }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelUnavailableError);
  expect((error as Error).message).toMatch(new RegExp(`^ollama at ${ollama.url}: (connection lost after 2 chunks|connection failed)`));
  expect(progress).toEqual([1, 2]);
});

test('a stream of garbage without a final chunk → ModelUnavailableError', async () => {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => {}); // the client warns about the bad line
  try {
    ollama.enqueue({ fault: 'garbage' });
    const error = await ask(new OllamaProvider({ host: ollama.url })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toContain('Did not receive done');
  } finally {
    warn.mockRestore();
  }
});

test('a stream that hangs → ModelUnavailableError after the idle timeout', async () => {
  ollama.enqueue({ fault: 'hang', afterChunks: 1 });
  const error = await ask(new OllamaProvider({ host: ollama.url, idleTimeoutMs: 300 })).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelUnavailableError);
  expect((error as Error).message).toBe(`ollama at ${ollama.url}: no output for 300 ms (model ${MODEL}, 1 chunks received)`);
});

test('cancelling a hanging call rejects with the abort reason, not as unavailable', async () => {
  ollama.enqueue({ fault: 'hang', afterChunks: 1 });
  const controller = new AbortController();
  const reason = new Error('activity cancelled');
  const call = ask(new OllamaProvider({ host: ollama.url }), { signal: controller.signal, onProgress: () => controller.abort(reason) });
  await expect(call).rejects.toBe(reason);

  // Already aborted: no request at all.
  const before = ollama.generations.length;
  await expect(ask(new OllamaProvider({ host: ollama.url }), { signal: controller.signal })).rejects.toBe(reason);
  expect(ollama.generations).toHaveLength(before);
});
