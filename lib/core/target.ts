/** What the user configured for the API a suite runs against, checked before anything runs. */

/**
 * A bad target setting; `field` names it the way a request spells it (`target.env.API_TOKEN`),
 * `details` each bad field when there are several.
 */
export class InvalidTargetError extends Error {
  constructor(message: string, readonly field: string, readonly details: { field: string; message: string }[] = [{ field, message }]) {
    super(message);
    this.name = 'InvalidTargetError';
  }
}

export const DESTRUCTIVE_METHODS = ['DELETE', 'PUT', 'PATCH', 'POST'] as const;
export type DestructiveMethod = (typeof DESTRUCTIVE_METHODS)[number];

export interface TargetConfig {
  /** e.g. `https://api.example.com/v1`: the suite's requests go to this host under this path. */
  baseUrl: string;
  /**
   * Variables the suite reads, e.g. `API_AUTH_BEARER_AUTH`, `API_HEADERS`, `API_TIMEOUT_MS`. Only
   * `API_*` names are accepted; API_BASE_URL is set by the runner. In a run's target a value may be
   * `${NAME}`, read from the worker's environment (credentials must be: see target-request.ts).
   */
  env?: Record<string, string>;
  /** Destructive methods the user allowed for this target; none by default. */
  allowedMethods?: string[];
  /** Hosts besides the base URL's the suite may call: `name` (any port) or `name:port`. */
  allowedHosts?: string[];
}

export interface CheckedTarget {
  baseUrl: URL;
  env: Record<string, string>;
  allowedMethods: Set<DestructiveMethod>;
  allowedHosts: string[];
}

const ENV_NAME = /^API_[A-Z0-9_]+$/;
const HOST = /^[a-z0-9.-]+(?::\d{1,5})?$|^\[[0-9a-f:.]+\](?::\d{1,5})?$/i;

export function checkTarget(target: TargetConfig): CheckedTarget {
  let baseUrl: URL;
  try {
    baseUrl = new URL(target.baseUrl);
  } catch {
    throw new InvalidTargetError(`target baseUrl "${target.baseUrl}" is not a URL: expected e.g. https://api.example.com/v1`, 'target.baseUrl');
  }
  if (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:') throw new InvalidTargetError(`target baseUrl "${target.baseUrl}" must be http or https`, 'target.baseUrl');
  if (baseUrl.search || baseUrl.hash || baseUrl.username || baseUrl.password) {
    throw new InvalidTargetError(`target baseUrl "${target.baseUrl}" must not carry a query, fragment or credentials: put credentials in the target's env`, 'target.baseUrl');
  }
  const env = target.env ?? {};
  for (const [name, value] of Object.entries(env)) {
    const field = `target.env.${name}`;
    if (!ENV_NAME.test(name)) throw new InvalidTargetError(`target env "${name}" is not allowed: the suite only receives API_* variables (e.g. API_AUTH_BEARER_AUTH, API_HEADERS)`, field);
    if (name === 'API_BASE_URL') throw new InvalidTargetError('target env API_BASE_URL is set by the runner: configure the target baseUrl instead', field);
    if (typeof value !== 'string') throw new InvalidTargetError(`target env "${name}" must be a string`, field);
  }
  const allowedMethods = new Set<DestructiveMethod>();
  for (const method of target.allowedMethods ?? []) {
    const upper = method.toUpperCase();
    if (!(DESTRUCTIVE_METHODS as readonly string[]).includes(upper)) {
      throw new InvalidTargetError(`target allowedMethods "${method}" is not one of ${DESTRUCTIVE_METHODS.join(', ')} (other methods are always allowed)`, 'target.allowedMethods');
    }
    allowedMethods.add(upper as DestructiveMethod);
  }
  const allowedHosts = (target.allowedHosts ?? []).map((host) => {
    if (!HOST.test(host)) throw new InvalidTargetError(`target allowedHosts "${host}" is not a host name with an optional port, e.g. auth.example.com or localhost:8080`, 'target.allowedHosts');
    return host.toLowerCase();
  });
  return { baseUrl, env: { ...env }, allowedMethods, allowedHosts };
}

/** The target's own host, or an allowed one (an entry without a port allows every port). */
export function isHostAllowed(target: CheckedTarget, url: URL): boolean {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.host.toLowerCase() === target.baseUrl.host.toLowerCase() && url.protocol === target.baseUrl.protocol) return true;
  return target.allowedHosts.some((entry) => (entry.includes(':') && !entry.startsWith('[')) || /\]:\d+$/.test(entry)
    ? entry === url.host.toLowerCase()
    : entry === url.hostname.toLowerCase());
}

export function isMethodAllowed(target: CheckedTarget, method: string): boolean {
  const upper = method.toUpperCase();
  return !(DESTRUCTIVE_METHODS as readonly string[]).includes(upper) || target.allowedMethods.has(upper as DestructiveMethod);
}

/** The path of a target URL relative to the base path (`/pets/1`), or undefined when it lies outside it. */
export function pathUnderBase(target: CheckedTarget, url: URL): string | undefined {
  if (url.host.toLowerCase() !== target.baseUrl.host.toLowerCase()) return undefined;
  const base = target.baseUrl.pathname.replace(/\/+$/, '');
  if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return undefined;
  return url.pathname.slice(base.length) || '/';
}
