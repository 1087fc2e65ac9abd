/**
 * What a spec run would generate, without generating anything to keep: the operations and their
 * case counts per kind, the operations skipped with the reason, and the exact credential variables
 * the suite reads. Built from the same `generateSpecSuite` a run's generate stage calls, so the
 * counts are the run's own (before quality gates, model-written scenarios and execution).
 */
import { listOperations, type Operation } from '../openapi';
import type { FrameworkName } from '../core/frameworks';
import { InvalidTargetError } from '../core/target';
import { planOperation } from './operation-plan';
import { securitySchemeTable, type SchemeEntry } from './security-table';
import { generateSpecSuite } from './spec-suite';

/** One `API_AUTH_<SCHEME>` variable the generated helpers read, and what it must hold. */
export interface CredentialVariable {
  variable: string;
  /** The security scheme's name in the spec. */
  scheme: string;
  kind: SchemeEntry['kind'];
  /** As declared, e.g. `http bearer`, `oauth2`, `apiKey in header "X-API-Key"`. */
  declared: string;
  in?: SchemeEntry['in'];
  parameterName?: string;
  /** What the variable must hold and where the suite sends it. */
  holds: string;
  /** Operations whose requests send it (operationIds, in path order). */
  operations: string[];
}

/** A security scheme the generated requests cannot send (e.g. mutual TLS, HTTP digest): no variable, no auth cases. */
export interface UnsendableScheme {
  scheme: string;
  declared: string;
  operations: string[];
}

export interface PlannedOperation {
  operationId: string;
  method: string;
  path: string;
  /** The test file holding its cases, relative to the suite's folder. */
  file: string;
  caseCount: number;
  /** Case kind → count, e.g. `{ "happy-path": 1, "missing-required": 2 }`. */
  cases: Record<string, number>;
  /** Credential variables its requests send. */
  credentials: string[];
}

export interface SkippedOperation {
  operationId: string;
  method: string;
  path: string;
  reason: string;
}

export interface SuitePlan {
  operationCount: number;
  operations: PlannedOperation[];
  skipped: SkippedOperation[];
  cases: { total: number; byKind: Record<string, number> };
  credentials: CredentialVariable[];
  unsendableSchemes: UnsendableScheme[];
  /** Everything generation notes: operations or cases left out and why, sanitized operationIds, … */
  notes: string[];
}

const API_AUTH = /^API_AUTH_[A-Z0-9_]+$/;

function holds(entry: SchemeEntry): string {
  if (entry.kind === 'basic') return '`user:password`, sent as `Authorization: Basic …` (the suite encodes it)';
  if (entry.kind === 'apiKey') {
    const where = entry.in === 'query' ? 'query parameter' : entry.in === 'cookie' ? 'cookie' : 'header';
    return `the API key, sent as ${where} \`${entry.parameterName}\``;
  }
  return /^(oauth2|openIdConnect)$/.test(entry.declared)
    ? 'an access token, sent as `Authorization: Bearer …`'
    : 'the bearer token, sent as `Authorization: Bearer …`';
}

function schemesOf(operation: Operation): string[] {
  return [...new Set(operation.securityRequirements.flat().map((scheme) => scheme.name))];
}

/** Every `API_AUTH_*` variable a suite generated from these operations reads (the helpers' scheme table), and the schemes it cannot send. */
export function credentialVariables(operations: Operation[]): { credentials: CredentialVariable[]; unsendable: UnsendableScheme[] } {
  const users = (name: string) => operations.filter((operation) => schemesOf(operation).includes(name)).map((operation) => operation.operationId);
  const credentials = Object.entries(securitySchemeTable(operations)).map(([scheme, entry]) => ({
    variable: entry.env,
    scheme,
    kind: entry.kind,
    declared: entry.declared,
    ...(entry.in ? { in: entry.in } : {}),
    ...(entry.parameterName ? { parameterName: entry.parameterName } : {}),
    holds: holds(entry),
    operations: users(scheme),
  }));
  const unsendable = new Map<string, UnsendableScheme>();
  for (const scheme of operations.flatMap((operation) => operation.securityRequirements.flat())) {
    if (scheme.kind !== 'unsupported' || unsendable.has(scheme.name)) continue;
    unsendable.set(scheme.name, { scheme: scheme.name, declared: scheme.declared, operations: users(scheme.name) });
  }
  return { credentials, unsendable: [...unsendable.values()] };
}

/**
 * A requested target's `API_AUTH_*` variables must be ones the suite reads: a misspelt one would be
 * passed to the suite and ignored, turning every 401 into a reported API defect. Throws naming
 * each unknown variable and the valid names; other `API_*` variables are not the spec's business.
 */
export function checkCredentialEnv(env: Record<string, string> | undefined, api: object): void {
  const names = Object.keys(env ?? {}).filter((name) => API_AUTH.test(name));
  if (!names.length) return;
  const { credentials, unsendable } = credentialVariables(listOperations(api));
  const valid = new Set(credentials.map((credential) => credential.variable));
  const unknown = names.filter((name) => !valid.has(name));
  if (!unknown.length) return;
  const reads = credentials.length
    ? `the suite reads ${credentials.map((c) => c.variable).join(', ')}`
    : unsendable.length
      ? `the suite reads no API_AUTH_* variable: the generated requests cannot send the spec's security schemes (${unsendable.map((s) => `"${s.scheme}": ${s.declared}`).join(', ')})`
      : 'the suite reads no API_AUTH_* variable: the spec declares no security';
  const details = unknown.map((name) => ({ field: `target.env.${name}`, message: `no security scheme of this spec reads ${name}; ${reads}` }));
  throw new InvalidTargetError(details.map((d) => `${d.field}: ${d.message}`).join('; '), details[0].field, details);
}

function count(kinds: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/**
 * The plan of a dereferenced spec's suite: generated exactly as a run's generate stage does (same
 * planner, sequences, resources), then summarised; the rendered files are dropped.
 */
export function planSpecSuite(api: object, options: { specId: string; framework?: FrameworkName }): SuitePlan {
  const operations = listOperations(api);
  const suite = generateSpecSuite({ api, specId: options.specId, outDir: '.', ...(options.framework ? { framework: options.framework } : {}) });
  const { credentials, unsendable } = credentialVariables(operations);
  const variableOf = new Map(credentials.map((credential) => [credential.scheme, credential.variable]));
  const planned: PlannedOperation[] = [];
  const skipped: SkippedOperation[] = [];
  for (const operation of operations) {
    const heading = { operationId: operation.operationId, method: operation.method.toUpperCase(), path: operation.path };
    const cases = suite.cases.filter((testCase) => testCase.operationId === operation.operationId);
    if (!cases.length) {
      // Only an operation its planner skips has no case; asking it again gives the reason.
      skipped.push({ ...heading, reason: planOperation(operation).skipReason ?? 'no test case could be generated' });
      continue;
    }
    planned.push({
      ...heading,
      file: cases[0].file.replace(/^\.\//, ''),
      caseCount: cases.length,
      cases: count(cases.map((testCase) => testCase.kind)),
      credentials: schemesOf(operation).flatMap((scheme) => variableOf.get(scheme) ?? []),
    });
  }
  return {
    operationCount: operations.length,
    operations: planned,
    skipped,
    cases: { total: suite.cases.length, byKind: count(suite.cases.map((testCase) => testCase.kind)) },
    credentials,
    unsendableSchemes: unsendable,
    notes: suite.notes,
  };
}
