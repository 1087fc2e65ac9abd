/**
 * A client of testloom's own HTTP API, as any client uses it: the CLI and the MCP server (whose only
 * way to testloom it is). A 4xx or 5xx becomes an ApiError carrying the API's own message, which the
 * MCP tools hand to the agent as a tool error and the CLI prints.
 */

/** The API's error envelope: `{ error: { code, message, details } }` (api/errors.ts). */
interface ErrorEnvelope {
  error?: { code?: string; message?: string; details?: { field?: string; message: string }[] };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { field?: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const REQUEST_TIMEOUT_MS = 60_000;

export interface TestloomApiOptions {
  /** `Authorization: Bearer <key>` when set. */
  apiKey?: string;
  /** Headers sent with every request besides the key (the in-server endpoint's relay header). */
  headers?: Record<string, string>;
  /** How long one request may take; default 60 s. */
  timeoutMs?: number;
}

export class TestloomApi {
  constructor(readonly baseUrl: string, private readonly options: TestloomApiOptions = {}) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.send<T>(method, path, body)).body;
  }

  /** The answer's status too (201 created or 200 found, for instance). */
  async send<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        method,
        headers: {
          ...this.options.headers,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw new ApiError(503, 'api_unreachable', `the testloom API at ${this.baseUrl} does not answer: ${(err as Error).message}`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ApiError(502, 'bad_answer', `${method} ${path}: the testloom API answered ${response.status} with a body that is not JSON`);
    }
    if (response.status >= 400) {
      const error = (parsed as ErrorEnvelope | undefined)?.error;
      throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `${method} ${path}: HTTP ${response.status}`, error?.details ?? []);
    }
    return { status: response.status, body: parsed as T };
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }
}

/** `/api/v1/runs/<id>…` with each part percent-encoded. */
export const runPath = (runId: string, ...rest: string[]) => ['/api/v1/runs', runId, ...rest].map((part, i) => (i === 0 ? part : encodeURIComponent(part))).join('/');
