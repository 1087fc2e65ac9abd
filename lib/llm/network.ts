/** Telling "the provider cannot be reached" apart from other failures, for all HTTP providers. */

/** HTTP statuses (besides 5xx) after which another provider, or a later retry, may well succeed. */
export const UNAVAILABLE_STATUSES = new Set([404, 408, 429]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

/** The network error code (ECONNREFUSED, UND_ERR_SOCKET, …) somewhere in an error's cause chain. */
export function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    const inner = (e as { errors?: unknown[] }).errors; // AggregateError (IPv4 + IPv6 attempts)
    if (Array.isArray(inner)) {
      for (const i of inner) {
        const c = networkCode(i);
        if (c) return c;
      }
    }
  }
  return undefined;
}

/** fetch's own failure (host realm under Jest, so compared by name): connection failed or body cut off. */
export function isFetchFailure(err: unknown): boolean {
  const { name, message } = (err ?? {}) as { name?: unknown; message?: unknown };
  return name === 'TypeError' && typeof message === 'string' && /fetch failed|terminated/i.test(message);
}
