/**
 * The one interface every model provider implements (Ollama, OpenAI-compatible, ...), and the
 * errors the gateway and its callers tell apart.
 */

/** A JSON Schema document (draft-07 subset understood by Ajv and by Ollama's `format`). */
export type JSONSchema = Record<string, unknown>;

export interface GenerateRequest {
  model: string;
  system?: string;
  prompt: string;
  /** When given, the provider asks for structured output matching this schema. */
  schema?: JSONSchema;
  temperature?: number;
  maxTokens?: number;
  signal?: AbortSignal;
  /** Called as output streams in, with the number of output tokens (chunks) so far. */
  onProgress?: (tokensSoFar: number) => void;
}

export interface GenerateResult {
  text: string;
  /** The parsed output when a schema was requested and the text is JSON (not yet validated). */
  json?: unknown;
  tokensIn: number;
  tokensOut: number;
  /** The model that answered, as the provider reports it. */
  model: string;
}

export interface ModelProvider {
  /** Unique within a gateway; recorded with every call (e.g. `ollama`, `ollama-2`, `openai`). */
  readonly name: string;
  /** A model running on our own hardware: its calls cost nothing. */
  readonly local?: boolean;
  generate(request: GenerateRequest): Promise<GenerateResult>;
}

/** The provider cannot answer now (not reachable, model missing, server error, stream cut): try the next one. */
export class ModelUnavailableError extends Error {
  override name = 'ModelUnavailableError';
  constructor(
    message: string,
    readonly failures: ReadonlyArray<{ provider: string; message: string }> = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The model answered, but not with output matching the schema, also after the allowed repairs. */
export class InvalidModelOutputError extends Error {
  override name = 'InvalidModelOutputError';
  constructor(
    message: string,
    /** The last output exactly as the model produced it. */
    readonly raw: string,
    /** Validation (or JSON parse) errors of that output. */
    readonly errors: string[] = [],
  ) {
    super(message);
  }
}

/** A token budget (per run or per repository) is used up; checked before any model call. */
export class BudgetExceededError extends Error {
  override name = 'BudgetExceededError';
  constructor(
    message: string,
    readonly scope: 'run' | 'repository',
    readonly subject: string,
    readonly used: number,
    readonly limit: number,
  ) {
    super(message);
  }
}
