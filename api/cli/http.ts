/** A small client of testloom's own HTTP API, for the CLI. */
export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (response.status >= 400) {
      const message = parsed?.error?.message ?? `HTTP ${response.status}`;
      throw new Error(`${method} ${path}: ${message}`);
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
