import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * GET of a URL a request named, which must not reach inside the network testloom runs in: every
 * hop's host is resolved and checked before connecting, and the connection goes to the checked
 * address (no second lookup a DNS rebinding could answer differently).
 */
export interface PublicFetchOptions {
  /** Host names (or IP literals) the operator allows although they are not public. */
  allowedHosts: readonly string[];
  maxBytes: number;
  /** For the whole fetch: every lookup, hop and byte of the body. */
  timeoutMs: number;
  maxRedirects?: number;
  /** dns.promises.lookup(host, {all: true}) unless a test brings its own. */
  resolveHost?: (host: string) => Promise<{ address: string; family: number }[]>;
}

export interface PublicFetchResult {
  /** The URL of the last hop. */
  url: string;
  body: Buffer;
  contentType?: string;
}

/** `refused`: the URL may not be fetched (nothing was connected to); `too-large`: over maxBytes. */
export class PublicFetchError extends Error {
  constructor(message: string, readonly reason: 'refused' | 'too-large' | 'unavailable') {
    super(message);
    this.name = 'PublicFetchError';
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** 'unicast' for a plain public address, else the range it lies in (IPv4-mapped IPv6 is unwrapped). */
export function addressRange(address: string): string {
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  // Global unicast is 2000::/3; everything else (e.g. the deprecated ::/96 IPv4-compatible form) is not public.
  if (range === 'unicast' && parsed.kind() === 'ipv6' && !parsed.match(ipaddr.IPv6.parse('2000::'), 3)) return 'reserved';
  return range;
}

/** ipaddr.js's range names in words: linkLocal → link-local. */
const rangeName = (range: string) => range.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

function normalizeHost(host: string): string {
  return host.trim().replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

const defaultResolve = (host: string) => dns.promises.lookup(host, { all: true, verbatim: true });

function withDeadline<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    // fetchPublic aborts its signal only with a PublicFetchError.
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The addresses this hop may connect to; refuses before any connection is made. */
async function checkedAddresses(url: URL, options: PublicFetchOptions, signal: AbortSignal) {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PublicFetchError(`only http and https URLs may be fetched, not ${url.protocol}`, 'refused');
  }
  if (url.username || url.password) throw new PublicFetchError('URLs with credentials are not fetched', 'refused');
  const host = hostOf(url);
  const allowed = options.allowedHosts.some((entry) => normalizeHost(entry) === host);
  if (ipaddr.isValid(host)) {
    const range = addressRange(host);
    if (!allowed && range !== 'unicast') throw new PublicFetchError(`${host} is not a public address (${rangeName(range)})`, 'refused');
    return [{ address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 }];
  }
  let addresses: { address: string; family: number }[];
  try {
    addresses = await withDeadline((options.resolveHost ?? defaultResolve)(host), signal);
  } catch (err) {
    if (signal.aborted) throw err;
    addresses = [];
  }
  // One message for "does not resolve" and "resolves inside": the answer must not map internal names.
  if (!addresses.length || (!allowed && addresses.some((a) => addressRange(a.address) !== 'unicast'))) {
    throw new PublicFetchError(`host ${host} does not resolve to a public address`, 'refused');
  }
  return addresses;
}

function fixedLookup(addresses: { address: string; family: number }[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
    if (!wanted.length) return callback(Object.assign(new Error('no checked address of the wanted family'), { code: 'ENOTFOUND' }), '', 0);
    if (options.all) return callback(null, wanted);
    callback(null, wanted[0].address, wanted[0].family);
  };
}

type Hop = { redirect: URL } | { result: PublicFetchResult };

function requestHop(url: URL, addresses: { address: string; family: number }[], options: PublicFetchOptions, signal: AbortSignal): Promise<Hop> {
  const host = hostOf(url);
  const literal = ipaddr.isValid(host);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request({
      method: 'GET',
      hostname: host,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      headers: { host: url.host, accept: 'application/yaml, application/json, */*;q=0.5', 'user-agent': 'testloom' },
      agent: false,
      lookup: fixedLookup(addresses),
      ...(url.protocol === 'https:' && !literal ? { servername: host } : {}),
      signal,
    }, (response) => {
      const status = response.statusCode ?? 0;
      if (REDIRECTS.has(status) && response.headers.location) {
        response.destroy();
        let next: URL;
        try {
          next = new URL(response.headers.location, url);
        } catch {
          return reject(new PublicFetchError(`${url.href} redirected to an invalid URL`, 'unavailable'));
        }
        return resolve({ redirect: next });
      }
      if (status < 200 || status >= 300) {
        response.destroy();
        return reject(new PublicFetchError(`${url.href} answered HTTP ${status}`, 'unavailable'));
      }
      const tooLarge = () => new PublicFetchError(`the response is larger than the limit of ${options.maxBytes} bytes`, 'too-large');
      if (Number(response.headers['content-length'] ?? 0) > options.maxBytes) {
        response.destroy();
        return reject(tooLarge());
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          response.destroy();
          reject(tooLarge());
        } else chunks.push(chunk);
      });
      response.on('end', () => resolve({ result: { url: url.href, body: Buffer.concat(chunks), contentType: response.headers['content-type'] } }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

export async function fetchPublic(target: string | URL, options: PublicFetchOptions): Promise<PublicFetchResult> {
  const maxRedirects = options.maxRedirects ?? 5;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new PublicFetchError(`not an absolute URL: ${String(target)}`, 'refused');
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new PublicFetchError(`no complete answer within ${options.timeoutMs} ms`, 'unavailable')), options.timeoutMs);
  try {
    for (let hop = 0; ; hop++) {
      const addresses = await checkedAddresses(url, options, controller.signal);
      const answer = await requestHop(url, addresses, options, controller.signal);
      if ('result' in answer) return answer.result;
      if (hop >= maxRedirects) throw new PublicFetchError(`more than ${maxRedirects} redirects`, 'unavailable');
      url = answer.redirect;
    }
  } catch (err) {
    if (err instanceof PublicFetchError) throw err;
    if (controller.signal.aborted) throw controller.signal.reason;
    const code = (err as NodeJS.ErrnoException).code;
    throw new PublicFetchError(`could not fetch ${url.href}: ${code ?? (err as Error).message}`, 'unavailable');
  } finally {
    clearTimeout(timer);
  }
}
