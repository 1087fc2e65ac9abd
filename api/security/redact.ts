/**
 * Secrets (API keys, the webhook secret, database passwords) must never reach a log line or a
 * response body. Everything the API logs or answers with JSON passes through these functions.
 */
import type { RequestHandler } from 'express';
import type { Config } from '../../lib/config';

export const REDACTED = '[redacted]';

/**
 * Exact-match redaction is only safe for values too long to occur by chance in ordinary text (a
 * database password `postgres` must not blank out every `postgres://`). Keys and the webhook secret
 * are 16+ characters by configuration; a shorter password is still removed from any URL below.
 */
const MIN_EXACT_LENGTH = 12;
/** `scheme://user:password@host`: the password is dropped from any URL, known secret or not. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:)[^\s@/]+@/gi;
/**
 * Whether text may hold one: the same pattern without the scheme, so the engine looks only where
 * `://` occurs; the scheme's `[a-z][a-z0-9+.-]*` tried at every letter of a 55 KB body made the
 * full pattern cost 1.1 ms a scan, this one 0.04 ms. Everything URL_PASSWORD matches, this matches.
 */
const MAY_HAVE_URL_PASSWORD = /:\/\/[^\s:@/]*:[^\s@/]+@/;

export function secretsOf(config: Pick<Config, 'api' | 'github' | 'databaseUrl'> & Partial<Pick<Config, 'llm'>>): string[] {
  const secrets = [...config.api.apiKeys, config.api.apiKey, config.github.webhookSecret, config.api.specWebhookSecret, config.llm?.openai?.apiKey];
  const auth = config.github.auth;
  if (auth?.kind === 'token') secrets.push(auth.token);
  // The PEM whole, and each of its base64 lines, so no fragment of the key survives either.
  if (auth?.kind === 'app') secrets.push(auth.privateKey, ...auth.privateKey.split('\n').map((line) => line.trim()).filter((line) => !line.startsWith('-----')));
  if (config.databaseUrl) {
    secrets.push(config.databaseUrl);
    try {
      const password = new URL(config.databaseUrl).password;
      if (password) secrets.push(password, decodeURIComponent(password));
    } catch {
      // an unparsable URL is still redacted whole
    }
  }
  const unique = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_EXACT_LENGTH))];
  // Longest first, so a URL is replaced whole before the password inside it.
  return unique.sort((a, b) => b.length - a.length);
}

export function redactText(text: string, secrets: readonly string[]): string {
  let out = MAY_HAVE_URL_PASSWORD.test(text) ? text.replace(URL_PASSWORD, `$1${REDACTED}@`) : text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** A deep copy with every string redacted (keys too). `ancestors`: objects being copied above this one. */
function redactValue<T>(value: T, secrets: readonly string[], ancestors = new WeakSet<object>()): T {
  if (typeof value === 'string') return redactText(value, secrets) as T;
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  if (value instanceof Error) return redactError(value, secrets) as T;
  if (ancestors.has(value)) return '[circular]' as T;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return (value as unknown[]).map((item) => redactValue(item, secrets, ancestors)) as T;
    const json = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof json === 'function') return redactValue(json.call(value), secrets, ancestors) as T;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [redactText(k, secrets), redactValue(v, secrets, ancestors)]),
    ) as T;
  } finally {
    // The same object may appear in several places (not a cycle): only ancestors count.
    ancestors.delete(value);
  }
}

/** An Error with the same name, code and cause chain, its message and stack redacted. */
function redactError(err: Error, secrets: readonly string[]): Error {
  const copy = new Error(redactText(err.message, secrets));
  copy.name = err.name;
  copy.stack = err.stack === undefined ? undefined : redactText(err.stack, secrets);
  for (const key of ['code', 'status', 'type'] as const) {
    const v = (err as unknown as Record<string, unknown>)[key];
    if (v !== undefined) (copy as unknown as Record<string, unknown>)[key] = typeof v === 'string' ? redactText(v, secrets) : v;
  }
  if (err.cause instanceof Error) copy.cause = redactError(err.cause, secrets);
  else if (err.cause !== undefined) copy.cause = redactValue(err.cause, secrets);
  return copy;
}

/** Wraps a logger so nothing it is handed can carry a secret. */
export function redactingLog(log: (err: unknown) => void, secrets: readonly string[]): (err: unknown) => void {
  return (err) => log(err instanceof Error ? redactError(err, secrets) : redactValue(err, secrets));
}

/**
 * Last line of defence for response bodies: every `res.json` of the app is redacted, whichever
 * route (or a dependency's error message, e.g. a health check's reason) built it.
 */
export function redactJsonResponses(secrets: readonly string[]): RequestHandler {
  // Each secret also as it reads inside JSON text (quotes, backslashes and control characters escaped).
  const inJson = [...new Set(secrets.flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]))];
  return (_req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => json(mayCarrySecret(body, inJson) ? redactValue(body, secrets) : body);
    next();
  };
}

/**
 * Whether the JSON form of `body` holds a secret or a URL with a password: one serialisation and
 * a scan, where copying a large body (the 55 KB OpenAPI document, a run's details) string by
 * string cost more than the request. JSON escaping only lengthens text, so the scan can only
 * answer yes more often than the copy would change something; a body it cannot serialise is copied.
 */
function mayCarrySecret(body: unknown, secretsInJson: readonly string[]): boolean {
  let text: string | undefined;
  try {
    text = JSON.stringify(body);
  } catch {
    return true;
  }
  if (text === undefined) return true;
  return MAY_HAVE_URL_PASSWORD.test(text) || secretsInJson.some((secret) => text.includes(secret));
}
