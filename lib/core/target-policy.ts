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

/**
 * testloom's own settings and secrets (API keys, webhook secret, database URLs, GitHub and model
 * credentials, telemetry headers): a target can never be handed one, whatever the operator lists.
 */
const PROTECTED_PREFIXES = ['TESTLOOM_', 'GITHUB_', 'TEMPORAL_', 'DATABASE_', 'PG', 'OTEL_', 'CHROMA_', 'OLLAMA_', 'OPENAI_', 'HF_', 'HUGGING_FACE_'];
const PROTECTED_NAMES = ['TEST_POSTGRES_URL'];

export function isProtectedVariable(name: string): boolean {
  const upper = name.toUpperCase();
  return PROTECTED_NAMES.includes(upper) || PROTECTED_PREFIXES.some((prefix) => upper.startsWith(prefix));
}

/** `NAME` allows that variable, `PREFIX_*` every variable starting with PREFIX_ (TESTLOOM_TARGET_VARIABLES). */
function isTargetVariableAllowed(name: string, allowed: string[]): boolean {
  if (isProtectedVariable(name)) return false;
  return allowed.some((entry) => (entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : name === entry));
}

/** What an operator lets a requested target reach: hosts, and the worker variables it may reference. */
export interface TargetPolicy {
  /** TESTLOOM_EXECUTION_HOSTS. */
  hosts: string[];
  /** TESTLOOM_TARGET_VARIABLES; undefined for the operator's own targets file, whose references are trusted (protected names excepted). */
  variables?: string[];
}

function checkReference(name: string, variable: string, variables: string[] | undefined): void {
  const field = `target.env.${name}`;
  if (isProtectedVariable(variable)) {
    throw new InvalidTargetError(`target env ${name} refers to ${variable}, one of testloom's own settings or secrets, which a target can never receive`, field);
  }
  if (variables && !isTargetVariableAllowed(variable, variables)) {
    const listed = variables.length ? variables.join(', ') : 'none';
    throw new InvalidTargetError(`target env ${name} refers to ${variable}, which is not a variable targets may use (TESTLOOM_TARGET_VARIABLES: ${listed})`, field);
  }
}
/** Variables the generated helpers read credentials from. */
const CREDENTIAL = /^API_(AUTH_[A-Z0-9_]+|HEADERS)$/;

/** Hosts a suite may run against when the operator configured none: this machine only. */
export const DEFAULT_EXECUTION_HOSTS = ['localhost', '127.0.0.1', '::1'];

function bare(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** `*` allows any host, `*.example.com` its subdomains, anything else one host name (any port). */
function isExecutionHostAllowed(hostname: string, allowed: string[]): boolean {
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

/** Checks a requested target against the operator's policy and returns it normalised (methods upper-case, hosts lower-case). */
export function checkTargetRequest(target: TargetConfig, policy: TargetPolicy): TargetConfig {
  const executionHosts = policy.hosts;
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
    const reference = REFERENCE.exec(value);
    if (reference) checkReference(name, reference[1], policy.variables);
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

/**
 * The target with every `${NAME}` replaced by the worker's value; a variable that is not set is an
 * error naming it. Protected variables are refused here too, for targets that were checked by an
 * older version (a workflow's input outlives the code that checked it).
 */
export function resolveTargetEnv(target: TargetConfig, env: NodeJS.ProcessEnv): TargetConfig {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(target.env ?? {})) {
    const reference = REFERENCE.exec(value);
    if (!reference) {
      resolved[name] = value;
      continue;
    }
    checkReference(name, reference[1], undefined);
    const found = env[reference[1]];
    if (found === undefined || found === '') {
      throw new InvalidTargetError(`target env ${name} refers to ${reference[1]}, which is not set in the environment of the worker that runs the suite`, `target.env.${name}`);
    }
    resolved[name] = found;
  }
  return { ...target, env: resolved };
}

