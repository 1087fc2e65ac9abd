import type { Config } from '../lib/config';

/** What the API answers with a 4xx or 5xx: `{ error: { code, message, details } }` (api/errors.ts). */
interface ErrorAnswer {
  error?: { message?: string };
}

/** A small client of testloom's own HTTP API, for the CLI. */
export class ApiClient {
  /** `apiKey` is sent as `Authorization: Bearer <key>` when set. */
  constructor(readonly baseUrl: string, private readonly apiKey?: string) {}

  /**
   * A client for `baseUrl` (default TESTLOOM_API_URL) sending TESTLOOM_API_KEY, or else the first of
   * TESTLOOM_API_KEYS: the key of a server started from the same configuration.
   */
  static fromConfig(config: Config, baseUrl = config.api.url): ApiClient {
    return new ApiClient(baseUrl, config.api.apiKey ?? config.api.apiKeys[0]);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (response.status >= 400) {
      const message = (parsed as ErrorAnswer | undefined)?.error?.message ?? `HTTP ${response.status}`;
      const hint = response.status === 401 ? (this.apiKey ? ' (check TESTLOOM_API_KEY)' : ' (set TESTLOOM_API_KEY)') : '';
      throw new Error(`${method} ${path}: ${message}${hint}`);
    }
    return { status: response.status, body: parsed as T };
  }

  async isUp(): Promise<boolean> {
    try {
      const response = await fetch(new URL('/api/health', this.baseUrl), { signal: AbortSignal.timeout(2_000) });
      return response.status === 200;
    } catch {
      return false;
    }
  }
}
