import type { ResponseCheck } from './operation-plan';
import { CodeExpression } from '../templates/code-expression';
import type { RequestCall } from '../frameworks';
import type { ScalarValue, StepCheck, TestCase, TestRequest, TestStep, UniqueRule } from './types';

function queryString(query: TestCase['request']['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function fillPath(path: string, values: Record<string, ScalarValue>): string {
  return path.replace(/\{([^}]+)\}/g, (placeholder, name: string) => (name in values ? String(values[name]) : placeholder));
}

const AUTH_WORDS = { valid: 'credentials', missing: 'no credentials', invalid: 'invalid credentials' } as const;

function describeOne(method: string, path: string, request: TestRequest, bind: Record<string, string> = {}): string {
  const { pathParams, query, headers, body, auth } = request;
  const parts = [`${method.toUpperCase()} ${fillPath(path, pathParams)}${queryString(query)}`];
  if (Object.keys(bind).length) parts.push(`(${Object.keys(bind).join(', ')} from an earlier response)`);
  if (Object.keys(headers).length) parts.push(`headers ${JSON.stringify(headers)}`);
  if (body !== undefined) parts.push(`body ${JSON.stringify(body)}`);
  if (auth) parts.push(`with ${AUTH_WORDS[auth.credentials]} (${auth.schemes.join(', ')})`);
  return parts.join(' ');
}

const fieldName = (pointer: string) => `"${pointer.slice(1).replace(/~1/g, '/').replace(/~0/g, '~')}"`;

/** What a step's checks assert, in words: `"title" as in new_issue`. */
function describeChecks(checks: StepCheck[] = []): string {
  const words = checks.map((check) => {
    switch (check.kind) {
      case 'same-as': return `${fieldName(check.pointer)} as in ${check.step}`;
      case 'cleared': return `${fieldName(check.pointer)} null or absent`;
      case 'equals': return `${fieldName(check.pointer)} = ${JSON.stringify(check.value)}`;
      case 'each-item': return `every item's ${fieldName(check.pointer)} is ${JSON.stringify(check.value)}`;
      case 'page-of': return `item ${check.start + 1} of ${check.step}`;
      case 'not-stored': return `${fieldName(check.pointer)} not kept as sent (or a 4xx)`;
    }
  });
  return words.length ? ` [${words.join('; ')}]` : '';
}

/** More than one request (a case of one step may carry it as `steps` for its clean-up). */
const isMultiStep = (testCase: TestCase) => (testCase.steps?.length ?? 0) > 1;

/** One line for the test-case document, e.g. `POST /pets body {"name":"Rex"}`; steps joined with `→`. */
export function describeRequest(testCase: TestCase): string {
  const deleted = testCase.steps?.some((step) => step.cleanup) ? '; what it created is deleted afterwards' : '';
  if (isMultiStep(testCase)) {
    return `${testCase.steps!.map((step) => `${describeOne(step.method, step.path, step.request, { ...step.bind, ...step.bindQuery })} (${step.expectedStatus})${describeChecks(step.checks)}`).join(' → ')}${deleted}`;
  }
  return `${describeOne(testCase.method, testCase.path, testCase.request)}${deleted}`;
}

function quotedList(names: string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}

const SUCCESS_KINDS: TestCase['kind'][] = ['happy-path', 'at-boundary', 'required-only', 'special-characters'];

export function describeExpectation(testCase: TestCase, check: ResponseCheck): string {
  if (isMultiStep(testCase)) return 'each step\'s status (in brackets); ids read from earlier responses';
  if (testCase.expectedStatus === '401|403') return '401 or 403';
  if (testCase.kind === 'not-found') return '404';
  if (!SUCCESS_KINDS.includes(testCase.kind)) return '4xx client error';
  const status = /^\d+$/.test(testCase.expectedStatus) ? testCase.expectedStatus : 'any 2xx';
  const parts = [status];
  if (check.json) parts.push('JSON body');
  if (check.requiredProperties.length) parts.push(`with ${quotedList(check.requiredProperties)}`);
  if (check.itemRequiredProperties.length) parts.push(`every item with ${quotedList(check.itemRequiredProperties)}`);
  if (check.schema) parts.push('the body matching its documented schema (types, formats, enums)');
  if (check.location) parts.push('a Location header');
  return parts.join(', ');
}

/** Replaces the value at a top-level JSON pointer (`/patientId`) of an object body. */
/** `api.unique(sample)`, with the rule when it has one: the call the generated test makes. */
function uniqueCall(sample: unknown, rule: UniqueRule): CodeExpression {
  const args = Object.keys(rule).length ? `${JSON.stringify(sample)}, ${JSON.stringify(rule)}` : JSON.stringify(sample);
  return new CodeExpression(`api.unique(${args})`);
}

function withValueAt(body: unknown, pointer: string, value: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const name = pointer.slice(1).replace(/~1/g, '/').replace(/~0/g, '~');
  return { ...(body as Record<string, unknown>), [name]: value };
}

/**
 * The body as the generated test sends it: fields naming a resource as the variable holding the id
 * an earlier step captured, fields an API keeps unique as `api.unique(value, rule)`, freshly varied
 * at run time.
 */
function bodyExpression(step: Pick<TestStep, 'request' | 'bindBody'>): unknown {
  let body = step.request.body;
  for (const [pointer, rule] of Object.entries(step.request.unique ?? {})) {
    if (!pointer.startsWith('/')) continue;
    const value = (body as Record<string, unknown>)[pointer.slice(1).replace(/~1/g, '/').replace(/~0/g, '~')];
    body = withValueAt(body, pointer, uniqueCall(value, rule));
  }
  for (const [pointer, variable] of Object.entries(step.bindBody ?? {})) body = withValueAt(body, pointer, new CodeExpression(variable));
  return body;
}

/**
 * The request of one step as passed to the generated `api.request(...)`: empty parts left out to
 * keep tests readable, bound path parameters as the variable captured by an earlier step.
 */
export function requestCall(step: Pick<TestStep, 'method' | 'path' | 'request' | 'bind' | 'bindBody' | 'bindQuery'>, bodyMediaType?: string): RequestCall {
  const { pathParams, headers, auth } = step.request;
  const query: Record<string, unknown> = { ...step.request.query };
  for (const [name, variable] of Object.entries(step.bindQuery ?? {})) query[name] = new CodeExpression(variable);
  const body = bodyExpression(step);
  const call: RequestCall = { method: step.method.toUpperCase(), path: step.path };
  const params: Record<string, unknown> = { ...pathParams };
  for (const [name, variable] of Object.entries(step.bind ?? {})) params[name] = new CodeExpression(variable);
  for (const [key, rule] of Object.entries(step.request.unique ?? {})) {
    const name = /^path:(.+)$/.exec(key)?.[1];
    if (name !== undefined && name in params) params[name] = uniqueCall(params[name], rule);
  }
  const ordered = Object.fromEntries([...step.path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => name).filter((name) => name in params).map((name) => [name, params[name]]));
  if (Object.keys(ordered).length) call.pathParams = ordered;
  if (Object.keys(query).length) call.query = query;
  if (Object.keys(headers).length) call.headers = headers;
  if (body !== undefined) {
    call.body = body;
    if (bodyMediaType && bodyMediaType !== 'application/json') call.mediaType = bodyMediaType;
  }
  if (auth) call.auth = auth;
  return call;
}

/** `201` for an exact status, `[401, 403]` or `[201, '4XX']` for alternatives, `'4XX'` for a class: the argument of the generated `expectStatus`. */
export function statusArgument(expectedStatus: string): number | (number | string)[] | string {
  if (expectedStatus.includes('|')) return expectedStatus.split('|').map((status) => (/^\d+$/.test(status) ? Number(status) : status.toUpperCase()));
  return /^\d+$/.test(expectedStatus) ? Number(expectedStatus) : expectedStatus.toUpperCase();
}
