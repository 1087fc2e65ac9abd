import { Ollama, type ChatRequest, type ChatResponse, type Message } from 'ollama';
import { idleTimer } from './idle-timer';
import { parseJsonOutput } from './json-output';
import { networkCode, UNAVAILABLE_STATUSES } from './network';
import { type GenerateRequest, type GenerateResult, type ModelProvider, ModelUnavailableError } from './types';

export interface OllamaProviderOptions {
  /** Base URL of the Ollama server, e.g. `http://127.0.0.1:11434` (the client does not read OLLAMA_HOST). */
  host: string;
  /** Recorded with every call; give a second Ollama provider its own name. Default `ollama`. */
  name?: string;
  /** No response headers or no new chunk within this time → ModelUnavailableError. Default: no limit. */
  idleTimeoutMs?: number;
  /** Sent as `keep_alive` (how long Ollama keeps the model loaded after the call). */
  keepAlive?: string | number;
}


/**
 * A model served by Ollama, over the official `ollama` client and `/api/chat`, always streamed so
 * that `onProgress` fires per chunk (one chunk is one output token). Structured output is Ollama's
 * `format` set to the JSON schema; token counts come from the final chunk.
 */
export class OllamaProvider implements ModelProvider {
  readonly name: string;
  readonly local = true;
  readonly host: string;

  constructor(private readonly options: OllamaProviderOptions) {
    this.name = options.name ?? 'ollama';
    this.host = options.host.replace(/\/+$/, '');
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    request.signal?.throwIfAborted();
    const idle = idleTimer(this.options.idleTimeoutMs, () => new Error('idle timeout'));
    const signals = [idle.signal, ...(request.signal ? [request.signal] : [])];
    // One client per call: its fetch carries this call's cancellation (the client itself only
    // offers abort() on a stream it already returned, or on all of them at once).
    const client = new Ollama({
      host: this.host,
      fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.any(init?.signal ? [init.signal, ...signals] : signals) }),
    });

    const messages: Message[] = [];
    if (request.system) messages.push({ role: 'system', content: request.system });
    messages.push({ role: 'user', content: request.prompt });
    const options: ChatRequest['options'] = {};
    if (request.temperature !== undefined) options.temperature = request.temperature;
    if (request.maxTokens !== undefined) options.num_predict = request.maxTokens;

    let text = '';
    let chunks = 0;
    let final: ChatResponse | undefined;
    try {
      const stream = await client.chat({
        model: request.model,
        messages,
        stream: true,
        ...(request.schema ? { format: request.schema } : {}),
        ...(Object.keys(options).length ? { options } : {}),
        ...(this.options.keepAlive !== undefined ? { keep_alive: this.options.keepAlive } : {}),
      });
      for await (const chunk of stream) {
        idle.touch();
        const piece = chunk.message?.content ?? '';
        if (piece) {
          text += piece;
          chunks += 1;
          request.onProgress?.(chunks);
        }
        if (chunk.done) final = chunk;
      }
    } catch (err) {
      if (request.signal?.aborted) throw request.signal.reason ?? err;
      if (idle.signal.aborted) {
        throw new ModelUnavailableError(
          `${this.describe()}: no output for ${this.options.idleTimeoutMs} ms (model ${request.model}, ${chunks} chunks received)`,
          [],
          { cause: err },
        );
      }
      throw this.classify(err, request.model, chunks);
    } finally {
      idle.stop();
    }
    if (!final) throw new ModelUnavailableError(`${this.describe()}: stream ended without a final chunk (model ${request.model})`);

    const result: GenerateResult = {
      text,
      tokensIn: final.prompt_eval_count ?? 0,
      tokensOut: final.eval_count ?? chunks,
      model: final.model || request.model,
    };
    if (request.schema) {
      const parsed = parseJsonOutput(text);
      if (parsed.ok) result.json = parsed.value;
    }
    return result;
  }

  private describe(): string {
    return `${this.name} at ${this.host}`;
  }

  /** Unreachable, model missing, overloaded, 5xx or a cut stream → ModelUnavailableError; anything else is a caller error. */
  private classify(err: unknown, model: string, chunks: number): Error {
    const status = (err as { status_code?: unknown }).status_code;
    const message = err instanceof Error ? err.message : String(err);
    if (typeof status === 'number') {
      if (status >= 500 || UNAVAILABLE_STATUSES.has(status)) {
        return new ModelUnavailableError(`${this.describe()}: HTTP ${status} for model ${model}: ${message}`, [], { cause: err });
      }
      return new Error(`${this.describe()}: HTTP ${status} for model ${model}: ${message}`, { cause: err });
    }
    const code = networkCode(err);
    if (code) {
      const what = code === 'ECONNREFUSED' ? 'connection refused' : chunks > 0 ? `connection lost after ${chunks} chunks (${code})` : `connection failed (${code})`;
      return new ModelUnavailableError(`${this.describe()}: ${what}`, [], { cause: err });
    }
    // Errors of the host's fetch come from another realm under Jest: compare names, not classes.
    const name = (err as { name?: unknown }).name;
    if (name === 'TypeError' && /fetch failed|terminated/i.test(message)) {
      return new ModelUnavailableError(`${this.describe()}: connection failed: ${message}`, [], { cause: err });
    }
    // The client turns an `{"error": ...}` line in the stream, or a stream without its final
    // chunk, into a plain Error: the server gave up on the model mid-answer.
    if (name === 'Error') {
      return new ModelUnavailableError(`${this.describe()}: stream failed after ${chunks} chunks: ${message}`, [], { cause: err });
    }
    return err instanceof Error ? err : new Error(message);
  }
}
