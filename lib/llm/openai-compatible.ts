/**
 * A model behind an OpenAI-compatible Chat Completions endpoint (OpenAI, vLLM, llama.cpp server,
 * LM Studio, Ollama's /v1, …): `POST {baseUrl}/chat/completions` with `stream: true` (server-sent
 * events, `data: {chunk}` … `data: [DONE]`), structured output as
 * `response_format: { type: 'json_schema', json_schema: { name, schema } }`, token counts from
 * the final usage chunk (`stream_options.include_usage`).
 */
import { parseJsonOutput } from './json-output';
import { idleTimer } from './idle-timer';
import { isFetchFailure, networkCode, UNAVAILABLE_STATUSES } from './network';
import { type GenerateRequest, type GenerateResult, type ModelProvider, ModelUnavailableError } from './types';

export interface OpenAICompatibleOptions {
  /** Base URL including the version segment, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:8080/v1`. */
  baseUrl: string;
  apiKey?: string;
  /** Default `openai`. */
  name?: string;
  /** A server on our own hardware (vLLM, llama.cpp): its calls cost nothing. Default false. */
  local?: boolean;
  /** No response headers or no new event within this time → ModelUnavailableError. Default: no limit. */
  idleTimeoutMs?: number;
  headers?: Record<string, string>;
}

interface StreamChunk {
  model?: string;
  choices?: Array<{ delta?: { content?: string | null }; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string };
}


export class OpenAICompatibleProvider implements ModelProvider {
  readonly name: string;
  readonly local: boolean;
  readonly baseUrl: string;

  constructor(private readonly options: OpenAICompatibleOptions) {
    this.name = options.name ?? 'openai';
    this.local = options.local ?? false;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    request.signal?.throwIfAborted();
    const idle = idleTimer(this.options.idleTimeoutMs, () => new Error('idle timeout'));
    const signal = request.signal ? AbortSignal.any([idle.signal, request.signal]) : idle.signal;

    const messages = [...(request.system ? [{ role: 'system', content: request.system }] : []), { role: 'user', content: request.prompt }];
    const body: Record<string, unknown> = { model: request.model, messages, stream: true, stream_options: { include_usage: true } };
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
    if (request.schema) body.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: request.schema } };

    let text = '';
    let chunks = 0;
    let model = request.model;
    let usage: StreamChunk['usage'];
    let done = false;
    try {
      const response = await fetch(`${this.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
          ...this.options.headers,
        },
        body: JSON.stringify(body),
        signal,
      });
      if (!response.ok) throw await this.httpError(response, request.model);
      if (!response.body) throw new ModelUnavailableError(`${this.describe()}: response without a body`);

      for await (const data of serverSentData(response.body)) {
        idle.touch();
        if (data === '[DONE]') {
          done = true;
          break;
        }
        let chunk: StreamChunk;
        try {
          chunk = JSON.parse(data) as StreamChunk;
        } catch {
          throw new ModelUnavailableError(`${this.describe()}: stream event is not JSON: ${data.slice(0, 200)}`);
        }
        if (chunk.error) throw new ModelUnavailableError(`${this.describe()}: stream failed after ${chunks} chunks: ${chunk.error.message ?? 'error'}`);
        if (chunk.model) model = chunk.model;
        if (chunk.usage) usage = chunk.usage;
        const piece = chunk.choices?.[0]?.delta?.content;
        if (piece) {
          text += piece;
          chunks += 1;
          request.onProgress?.(chunks);
        }
      }
    } catch (err) {
      if (request.signal?.aborted) throw request.signal.reason ?? err;
      if (idle.signal.aborted) {
        throw new ModelUnavailableError(`${this.describe()}: no output for ${this.options.idleTimeoutMs} ms (model ${request.model}, ${chunks} chunks received)`, [], { cause: err });
      }
      if (err instanceof ModelUnavailableError || (err as Error)?.name === 'HttpError') throw err;
      const code = networkCode(err);
      if (code || isFetchFailure(err)) {
        const what = code === 'ECONNREFUSED' ? 'connection refused' : chunks > 0 ? `connection lost after ${chunks} chunks` : 'connection failed';
        throw new ModelUnavailableError(`${this.describe()}: ${what}${code && code !== 'ECONNREFUSED' ? ` (${code})` : ''}`, [], { cause: err });
      }
      throw err;
    } finally {
      idle.stop();
    }
    if (!done) throw new ModelUnavailableError(`${this.describe()}: stream ended without [DONE] after ${chunks} chunks (model ${request.model})`);

    const result: GenerateResult = { text, tokensIn: usage?.prompt_tokens ?? 0, tokensOut: usage?.completion_tokens ?? chunks, model };
    if (request.schema) {
      const parsed = parseJsonOutput(text);
      if (parsed.ok) result.json = parsed.value;
    }
    return result;
  }

  private describe(): string {
    return `${this.name} at ${this.baseUrl}`;
  }

  private async httpError(response: Response, model: string): Promise<Error> {
    let detail = response.statusText;
    try {
      const raw = await response.text();
      try {
        const parsed = JSON.parse(raw) as { error?: { message?: string } | string };
        detail = (typeof parsed.error === 'string' ? parsed.error : parsed.error?.message) ?? raw;
      } catch {
        detail = raw || detail;
      }
    } catch {
      // keep the status text
    }
    const message = `${this.describe()}: HTTP ${response.status} for model ${model}: ${detail}`;
    if (response.status >= 500 || UNAVAILABLE_STATUSES.has(response.status)) return new ModelUnavailableError(message);
    const error = new Error(message);
    error.name = 'HttpError';
    return error;
  }
}

/** The `data:` payloads of a server-sent event stream, one per event. */
async function* serverSentData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  const reader = body.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      const lines = buffer.split(/\r?\n/);
      buffer = done ? '' : (lines.pop() ?? '');
      for (const line of lines) {
        if (line === '') {
          if (data.length) yield data.join('\n');
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).replace(/^ /, ''));
        } // comments (`:`), `event:`, `id:` and `retry:` lines carry nothing we need
      }
      if (done) {
        if (data.length) yield data.join('\n');
        return;
      }
    }
  } finally {
    reader.releaseLock();
  }
}
