/**
 * A local HTTP server speaking the Ollama API (`/api/chat`, `/api/generate`, `/api/tags`,
 * `/api/version`), for driving the real `ollama` client in tests. Each test scripts what the
 * "model" answers with a queue: texts or JSON values, streamed as NDJSON exactly like Ollama
 * (content chunks, then a final `done: true` chunk carrying the token counts and durations), or
 * faults: an HTTP error, a stream that hangs or drops the connection after N chunks, a line that
 * is not JSON. Every request is recorded with its parsed body.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ScriptedResponse =
  | {
      /** The model's whole output. */
      text: string;
      /** How the text is cut into chunks: a chunk size in characters (default 4) or the chunks themselves. */
      chunks?: number | string[];
      /** Reported `prompt_eval_count`; default: words in the request's messages/prompt. */
      promptTokens?: number;
      /** Reported `eval_count`; default: the number of chunks. */
      evalTokens?: number;
      /** Pause before each chunk. */
      delayMs?: number;
    }
  | { json: unknown; chunks?: number | string[]; promptTokens?: number; evalTokens?: number; delayMs?: number }
  /** Answer with this status and Ollama's `{"error": message}` body. */
  | { fault: 'status'; status: number; error?: string }
  /** Send `afterChunks` chunks of `text`, then nothing more (until the client gives up or the server closes). */
  | { fault: 'hang'; afterChunks?: number; text?: string }
  /** Send `afterChunks` chunks of `text`, then destroy the socket mid-stream. */
  | { fault: 'drop'; afterChunks?: number; text?: string }
  /** Send a line that is not JSON, then end the stream without a final chunk. */
  | { fault: 'garbage'; line?: string };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body (undefined for GET). */
  body: any;
}

export interface FakeOllamaOptions {
  /** Models `/api/tags` lists; when given, a request for any other model gets Ollama's 404. */
  models?: string[];
  version?: string;
}

export interface FakeOllama {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Requests to `/api/chat` and `/api/generate` only. */
  readonly generations: RecordedRequest[];
  /** Adds responses to the end of the queue; each model request takes the next one. */
  enqueue(...responses: ScriptedResponse[]): void;
  /** Responses not yet taken. */
  readonly pending: number;
  /** Drops queued responses and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_CHUNK = 4;

export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const queue: ScriptedResponse[] = [];
  const requests: RecordedRequest[] = [];

  const server = http.createServer((req, res) => void (async () => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    let raw = '';
    for await (const piece of req) raw += piece;
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      requests.push({ method: req.method ?? '', path, headers: req.headers, body: raw });
      return sendJson(res, 400, { error: 'invalid JSON body' });
    }
    requests.push({ method: req.method ?? '', path, headers: req.headers, body });

    if (req.method === 'GET' && path === '/api/version') return sendJson(res, 200, { version: options.version ?? '0.12.6' });
    if (req.method === 'GET' && path === '/api/tags') {
      return sendJson(res, 200, {
        models: (options.models ?? []).map((name) => ({
          name,
          model: name,
          modified_at: new Date(0).toISOString(),
          size: 0,
          digest: '0'.repeat(64),
          details: { format: 'gguf', family: 'fake', families: ['fake'], parameter_size: '0B', quantization_level: 'Q4_0' },
        })),
      });
    }
    if (req.method !== 'POST' || (path !== '/api/chat' && path !== '/api/generate')) return sendJson(res, 404, { error: `${req.method} ${path} not found` });

    const model = String(body?.model ?? '');
    if (!model) return sendJson(res, 400, { error: 'model is required' });
    if (options.models && !options.models.includes(model)) return sendJson(res, 404, { error: `model "${model}" not found, try pulling it first` });
    const next = queue.shift();
    if (!next) return sendJson(res, 500, { error: `fake ollama: no scripted response left for ${path}` });
    await respond(res, path === '/api/chat' ? 'chat' : 'generate', body, next);
  })());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get generations() {
      return requests.filter((r) => r.path === '/api/chat' || r.path === '/api/generate');
    },
    enqueue: (...responses) => void queue.push(...responses),
    get pending() {
      return queue.length;
    },
    reset() {
      queue.length = 0;
      requests.length = 0;
    },
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // hanging streams included
      })),
  };
}

async function respond(res: http.ServerResponse, endpoint: 'chat' | 'generate', body: any, script: ScriptedResponse): Promise<void> {
  if ('fault' in script && script.fault === 'status') return sendJson(res, script.status, { error: script.error ?? `scripted HTTP ${script.status}` });

  const streaming = body.stream !== false; // Ollama streams unless told not to
  const model = String(body.model);
  if ('fault' in script && script.fault === 'garbage') {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end(`${script.line ?? '{"model": "oops", this is not json'}\n`);
    return;
  }

  const text = 'fault' in script ? (script.text ?? 'partial output that never finishes') : 'json' in script ? JSON.stringify(script.json) : script.text;
  const pieces = cut(text, 'fault' in script ? undefined : script.chunks);
  const started = process.hrtime.bigint();

  if ('fault' in script) {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const sent = pieces.slice(0, script.afterChunks ?? 1);
    for (const piece of sent) res.write(`${JSON.stringify(chunk(endpoint, model, piece))}\n`);
    if (script.fault === 'drop') {
      await new Promise((resolve) => setTimeout(resolve, 20)); // let the chunks reach the client first
      res.socket?.destroy();
    }
    return; // 'hang': leave the response open
  }

  const delayMs = script.delayMs ?? 0;
  const promptTokens = script.promptTokens ?? countWords(endpoint === 'chat' ? (body.messages ?? []).map((m: { content?: string }) => m.content ?? '').join(' ') : `${body.system ?? ''} ${body.prompt ?? ''}`);
  const evalTokens = script.evalTokens ?? pieces.length;
  const finalFields = () => {
    const total = Number(process.hrtime.bigint() - started);
    return {
      done: true,
      done_reason: 'stop',
      total_duration: total,
      load_duration: 1000,
      prompt_eval_count: promptTokens,
      prompt_eval_duration: Math.floor(total / 4),
      eval_count: evalTokens,
      eval_duration: Math.floor(total / 2),
    };
  };

  if (!streaming) {
    if (delayMs) await sleep(delayMs * pieces.length);
    return sendJson(res, 200, { ...chunk(endpoint, model, text), ...finalFields() });
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (const piece of pieces) {
    if (delayMs) await sleep(delayMs);
    if (res.destroyed) return;
    res.write(`${JSON.stringify(chunk(endpoint, model, piece))}\n`);
  }
  res.end(`${JSON.stringify({ ...chunk(endpoint, model, ''), ...finalFields() })}\n`);
}

function chunk(endpoint: 'chat' | 'generate', model: string, content: string): Record<string, unknown> {
  const base = { model, created_at: new Date().toISOString() };
  return endpoint === 'chat' ? { ...base, message: { role: 'assistant', content }, done: false } : { ...base, response: content, done: false };
}

function cut(text: string, chunks: number | string[] | undefined): string[] {
  if (Array.isArray(chunks)) return chunks;
  const size = chunks ?? DEFAULT_CHUNK;
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const payload = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
