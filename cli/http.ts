import type { Config } from '../lib/config';
import { ApiError, TestloomApi } from '../lib/net/testloom-api';

/** The CLI's client of testloom's own HTTP API: its key from the config, errors as one printable line. */
export class ApiClient {
  private readonly api: TestloomApi;

  /** `apiKey` is sent as `Authorization: Bearer <key>` when set. */
  constructor(readonly baseUrl: string, private readonly apiKey?: string) {
    this.api = new TestloomApi(baseUrl, { apiKey, timeoutMs: 30_000 });
  }

  /**
   * A client for `baseUrl` (default TESTLOOM_API_URL) sending TESTLOOM_API_KEY, or else the first of
   * TESTLOOM_API_KEYS: the key of a server started from the same configuration.
   */
  static fromConfig(config: Config, baseUrl = config.api.url): ApiClient {
    return new ApiClient(baseUrl, config.api.apiKey ?? config.api.apiKeys[0]);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    try {
      return await this.api.send<T>(method, path, body);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const hint = err.status === 401 ? (this.apiKey ? ' (check TESTLOOM_API_KEY)' : ' (set TESTLOOM_API_KEY)') : '';
      throw new Error(`${method} ${path}: ${err.message}${hint}`, { cause: err });
    }
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
