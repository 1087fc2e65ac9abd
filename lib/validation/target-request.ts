/**
 * A target as a run carries it: checked when the run is requested, stored in the workflow's input,
 * resolved by the worker that executes the suite. Credentials travel only as references to the
 * worker's environment, so no secret enters workflow history or the database, and only hosts the
 * operator allows (TESTLOOM_EXECUTION_HOSTS) can be targeted: testloom must not become a way to
 * reach internal services on behalf of whoever may call its API.
 */
import { checkTarget, InvalidTargetError, type TargetConfig } from './target';

/** `${NAME}`: the value of NAME in the worker's environment when the suite runs. */
const REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
/** Variables the generated helpers read credentials from. */
const CREDENTIAL = /^API_(AUTH_[A-Z0-9_]+|HEADERS)$/;

/** Hosts a suite may run against when the operator configured none: this machine only. */
export const DEFAULT_EXECUTION_HOSTS = ['localhost', '127.0.0.1', '::1'];

function bare(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** `*` allows any host, `*.example.com` its subdomains, anything else one host name (any port). */
export function isExecutionHostAllowed(hostname: string, allowed: string[]): boolean {
  const host = bare(hostname);
  return allowed.some((entry) => {
    const rule = bare(entry);
    if (rule === '*') return true;
    if (rule.startsWith('*.')) return host.endsWith(rule.slice(1));
    return host === rule;
  });
}

function hostnameOf(entry: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(entry);
  return bracketed ? bracketed[1] : entry.split(':')[0];
}

function refuseHost(host: string, field: string, allowed: string[]): never {
  throw new InvalidTargetError(
    `${field.replace(/^target\./, 'target ')} host "${host}" is not one testloom may run suites against (TESTLOOM_EXECUTION_HOSTS: ${allowed.join(', ')})`,
    field,
  );
}

/**
 * Checks a requested target and returns it normalised (methods upper-case, hosts lower-case).
 * `executionHosts` is the operator's allow-list.
 */
export function checkTargetRequest(target: TargetConfig, executionHosts: string[]): TargetConfig {
  const checked = checkTarget(target);
  for (const [name, value] of Object.entries(checked.env)) {
    const field = `target.env.${name}`;
    if (value.includes('${') && !REFERENCE.test(value)) {
      throw new InvalidTargetError(`target env ${name}: a reference must be the whole value, e.g. "\${STAGING_TOKEN}"`, field);
    }
    if (CREDENTIAL.test(name) && !REFERENCE.test(value)) {
      throw new InvalidTargetError(
        `target env ${name} carries credentials: give a reference to a variable of the worker's environment, e.g. "\${STAGING_TOKEN}", not the value itself (it would be stored in the run's history)`,
        field,
      );
    }
  }
  if (!isExecutionHostAllowed(checked.baseUrl.hostname, executionHosts)) refuseHost(checked.baseUrl.hostname, 'target.baseUrl', executionHosts);
  for (const entry of checked.allowedHosts) {
    if (!isExecutionHostAllowed(hostnameOf(entry), executionHosts)) refuseHost(entry, 'target.allowedHosts', executionHosts);
  }
  return {
    baseUrl: target.baseUrl,
    ...(Object.keys(checked.env).length ? { env: checked.env } : {}),
    ...(checked.allowedMethods.size ? { allowedMethods: [...checked.allowedMethods] } : {}),
    ...(checked.allowedHosts.length ? { allowedHosts: checked.allowedHosts } : {}),
  };
}

/** The target with every `${NAME}` replaced by the worker's value; a variable that is not set is an error naming it. */
export function resolveTargetEnv(target: TargetConfig, env: NodeJS.ProcessEnv): TargetConfig {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(target.env ?? {})) {
    const reference = REFERENCE.exec(value);
    if (!reference) {
      resolved[name] = value;
      continue;
    }
    const found = env[reference[1]];
    if (found === undefined || found === '') {
      throw new InvalidTargetError(`target env ${name} refers to ${reference[1]}, which is not set in the environment of the worker that runs the suite`, `target.env.${name}`);
    }
    resolved[name] = found;
  }
  return { ...target, env: resolved };
}

/** The names of the worker variables a target refers to (shown instead of values). */
export function targetReferences(target: TargetConfig): string[] {
  return Object.values(target.env ?? {}).map((value) => REFERENCE.exec(value)?.[1]).filter((name): name is string => name !== undefined);
}
