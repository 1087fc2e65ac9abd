/**
 * A GGUF model run inside this process by llama.cpp (node-llama-cpp): a real model on a machine
 * with no model server. The model file is loaded once per process (llama-cpp-models.ts); each call
 * gets its own context, disposed when it ends. Structured output is a grammar derived from the
 * JSON schema, so the model cannot produce anything else; tokens stream into `onProgress`.
 *
 * The file decides the model: `request.model` (the configured model name of the task) is not
 * used, and the answer reports the file's name as its model.
 */
import type { LlamaContext, LlamaGrammar, Token } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { parseJsonOutput } from './json-output';
import { loadModel, type LoadedModel, messageOf, nodeLlamaCpp } from './llama-cpp-models';
import { type GenerateRequest, type GenerateResult, type ModelProvider, ModelUnavailableError } from './types';

export { unloadLlamaModels } from './llama-cpp-models';

export interface LlamaCppProviderOptions {
  /** The GGUF model file (`TESTLOOM_LLAMA_MODEL_PATH`). */
  modelPath: string;
  /** Default `llama-cpp`. */
  name?: string;
  /** Context window in tokens (prompt + answer). Default: the model's training context, at most 4096. */
  contextSize?: number;
  /**
   * CPU threads per call. Default: half the machine's math cores (at least one). llama.cpp's
   * threads spin-wait for each other, so on a busy machine every thread over the free cores costs
   * a lot (2 threads on 2 busy cores ran 70× slower than 1 here): leave room for the worker's other work.
   */
  threads?: number;
  /** Offload to a GPU when llama.cpp finds one. Default false: CPU only. */
  gpu?: boolean;
}

const DEFAULT_MAX_CONTEXT = 4096;

export class LlamaCppProvider implements ModelProvider {
  readonly name: string;
  readonly local = true;

  constructor(private readonly options: LlamaCppProviderOptions) {
    if (!options.modelPath) throw new Error('llama-cpp provider: modelPath (a GGUF file) is required');
    if (options.contextSize !== undefined && !(Number.isInteger(options.contextSize) && options.contextSize > 0)) {
      throw new Error(`llama-cpp provider: contextSize must be a positive integer, got ${options.contextSize}`);
    }
    if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads > 0)) {
      throw new Error(`llama-cpp provider: threads must be a positive integer, got ${options.threads}`);
    }
    this.name = options.name ?? 'llama-cpp';
  }

  /** Loads the model now instead of on the first call (a worker can pay the load at start-up). */
  async load(): Promise<void> {
    await loadModel(this.options.modelPath, this.options.gpu ?? false);
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    request.signal?.throwIfAborted();
    const loaded = await loadModel(this.options.modelPath, this.options.gpu ?? false);
    request.signal?.throwIfAborted();
    const grammar = request.schema ? await this.grammarFor(loaded, request.schema) : undefined;
    const context = await this.createContext(loaded);
    try {
      return await this.run(loaded, context, request, grammar);
    } catch (err) {
      if (request.signal?.aborted) throw request.signal.reason ?? err;
      throw err;
    } finally {
      await context.dispose();
    }
  }

  private async run(loaded: LoadedModel, context: LlamaContext, request: GenerateRequest, grammar: LlamaGrammar | undefined): Promise<GenerateResult> {
    const { LlamaChatSession, LlamaCompletion } = await nodeLlamaCpp();
    const sequence = context.getSequence();
    let tokensOut = 0;
    const options = {
      grammar,
      signal: request.signal,
      ...(request.maxTokens !== undefined ? { maxTokens: request.maxTokens } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      onToken: (tokens: Token[]) => {
        if (!tokens.length) return; // the chat session ends with an empty chunk
        tokensOut += tokens.length;
        request.onProgress?.(tokensOut);
      },
    };
    let text: string;
    if (loaded.hasChatTemplate) {
      const session = new LlamaChatSession({ contextSequence: sequence, ...(request.system ? { systemPrompt: request.system } : {}) });
      // Without a system prompt of ours, node-llama-cpp would add its own generic one; the model's template knows its default.
      if (!request.system) session.setChatHistory([]);
      text = await session.prompt(request.prompt, options);
    } else {
      // A base model (no chat template in the GGUF, e.g. stories260K) was never trained on role
      // markup, and a guessed chat format would only add tokens it cannot make sense of: it gets
      // the plain text to continue, system instructions first.
      const input = request.system ? `${request.system}\n\n${request.prompt}` : request.prompt;
      // Without a token limit the answer ends when the context is full instead of shifting it forever.
      text = await new LlamaCompletion({ contextSequence: sequence }).generateCompletion(input, { ...options, disableContextShift: true });
    }
    const result: GenerateResult = {
      text,
      // Everything the model evaluated as input: the prompt, with a chat template's markup and the BOS token.
      tokensIn: sequence.tokenMeter.usedInputTokens,
      tokensOut,
      model: loaded.fileName,
    };
    if (request.schema) {
      const parsed = parseJsonOutput(text);
      if (parsed.ok) result.json = parsed.value;
    }
    return result;
  }

  private async grammarFor(loaded: LoadedModel, schema: NonNullable<GenerateRequest['schema']>): Promise<LlamaGrammar> {
    try {
      // node-llama-cpp types the schema precisely; the gateway's schemas are plain JSON Schema documents.
      return await loaded.llama.createGrammarForJsonSchema(schema as Parameters<typeof loaded.llama.createGrammarForJsonSchema>[0]);
    } catch (err) {
      throw new Error(`${this.name}: cannot turn the JSON schema into a llama.cpp grammar: ${messageOf(err)}`, { cause: err });
    }
  }

  private async createContext(loaded: LoadedModel): Promise<LlamaContext> {
    const contextSize = this.options.contextSize ?? Math.min(DEFAULT_MAX_CONTEXT, loaded.model.trainContextSize);
    try {
      const threads = this.options.threads ?? Math.max(1, Math.floor(loaded.llama.cpuMathCores / 2));
      return await loaded.model.createContext({ contextSize, threads });
    } catch (err) {
      throw new ModelUnavailableError(`${this.name}: no context of ${contextSize} tokens for ${loaded.fileName}: ${messageOf(err)}`, [], { cause: err });
    }
  }
}
