import { SECRET_MARKER } from './secrets';
import type { Exchange } from './types';

/** A `curl` command that sends a recorded request again, straight to the API, with credentials read from the user's environment. */

/** Headers fetch adds by itself; they change nothing in a reproduction. */
const NOISE_HEADERS = new Set(['host', 'content-length', 'accept-encoding', 'accept-language', 'sec-fetch-mode', 'user-agent', 'connection']);

function singleQuoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Quotes literal text; `<secret:API_AUTH_X>` markers become `$API_AUTH_X` (base64 markers its base64), so no secret is printed. */
export function shellWord(text: string): string {
  let word = '';
  let last = 0;
  for (const match of text.matchAll(SECRET_MARKER)) {
    const [marker, base64, name] = match;
    if (!/^API_AUTH_[A-Z0-9_]+$/.test(name)) continue;
    if (match.index > last) word += singleQuoted(text.slice(last, match.index));
    word += base64 ? `"$(printf %s "$${name}" | base64 -w0)"` : `"$${name}"`;
    last = match.index + marker.length;
  }
  if (last < text.length || word === '') word += singleQuoted(text.slice(last));
  return word;
}

export function curlCommand(exchange: Pick<Exchange, 'method' | 'url' | 'requestHeaders' | 'requestBody'>): string {
  const parts = ['curl', '-sS', '-i'];
  if (exchange.method !== 'GET') parts.push('-X', exchange.method);
  parts.push(shellWord(exchange.url));
  for (const [name, value] of Object.entries(exchange.requestHeaders)) {
    if (NOISE_HEADERS.has(name) || (name === 'accept' && value === '*/*')) continue;
    parts.push('-H', shellWord(`${name}: ${value}`));
  }
  if (exchange.requestBody !== undefined) parts.push('--data-raw', shellWord(exchange.requestBody));
  return parts.join(' ');
}
