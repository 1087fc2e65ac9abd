/** Credentials the user configured never enter a recording: they are replaced by `<secret:NAME>` markers. */

export interface Secret {
  /** `API_AUTH_BEARER_AUTH`, or `API_HEADERS:Authorization` for a value of API_HEADERS. */
  name: string;
  value: string;
}

/** Shorter values would also match ordinary text. */
const MIN_SECRET_LENGTH = 4;
export const SECRET_MARKER = /<secret(-base64)?:([^>]+)>/g;

export function secretsOf(env: Record<string, string>): Secret[] {
  const secrets: Secret[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('API_AUTH_')) secrets.push({ name, value: value.trim() });
  }
  try {
    const headers = JSON.parse(env.API_HEADERS ?? '{}') as unknown;
    if (headers && typeof headers === 'object' && !Array.isArray(headers)) {
      for (const [header, value] of Object.entries(headers)) secrets.push({ name: `API_HEADERS:${header}`, value: String(value) });
    }
  } catch {
    // The suite itself reports an unreadable API_HEADERS.
  }
  return secrets.filter((secret) => secret.value.length >= MIN_SECRET_LENGTH).sort((a, b) => b.value.length - a.value.length);
}

/** Replaces each secret, and its base64 form (HTTP basic credentials), by a marker. */
export function redact(text: string, secrets: Secret[]): string {
  let result = text;
  for (const secret of secrets) {
    result = result.split(secret.value).join(`<secret:${secret.name}>`);
    result = result.split(Buffer.from(secret.value).toString('base64')).join(`<secret-base64:${secret.name}>`);
    result = result.split(encodeURIComponent(secret.value)).join(`<secret:${secret.name}>`);
  }
  return result;
}
