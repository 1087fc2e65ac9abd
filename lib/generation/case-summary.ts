import type { ResponseCheck } from './operation-plan';
import type { ScalarValue, TestCase } from './types';

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

/** One line for the test-case document, e.g. `POST /pets body {"name":"Rex"}`. */
export function describeRequest(testCase: TestCase): string {
  const { pathParams, query, headers, body } = testCase.request;
  const parts = [`${testCase.method.toUpperCase()} ${fillPath(testCase.path, pathParams)}${queryString(query)}`];
  if (Object.keys(headers).length) parts.push(`headers ${JSON.stringify(headers)}`);
  if (body !== undefined) parts.push(`body ${JSON.stringify(body)}`);
  return parts.join(' ');
}

function quotedList(names: string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}

export function describeExpectation(testCase: TestCase, check: ResponseCheck): string {
  if (testCase.kind !== 'happy-path') return '4xx client error';
  const status = /^\d+$/.test(testCase.expectedStatus) ? testCase.expectedStatus : 'any 2xx';
  const parts = [status];
  if (check.json) parts.push('JSON body');
  if (check.requiredProperties.length) parts.push(`with ${quotedList(check.requiredProperties)}`);
  if (check.itemRequiredProperties.length) parts.push(`every item with ${quotedList(check.itemRequiredProperties)}`);
  return parts.join(', ');
}

/** The literal passed to the generated `api.request(...)`: empty parts left out to keep tests readable. */
export function requestLiteral(testCase: TestCase, bodyMediaType?: string): Record<string, unknown> {
  const { pathParams, query, headers, body } = testCase.request;
  const literal: Record<string, unknown> = { method: testCase.method.toUpperCase(), path: testCase.path };
  if (Object.keys(pathParams).length) literal.pathParams = pathParams;
  if (Object.keys(query).length) literal.query = query;
  if (Object.keys(headers).length) literal.headers = headers;
  if (body !== undefined) {
    literal.body = body;
    if (bodyMediaType && bodyMediaType !== 'application/json') literal.mediaType = bodyMediaType;
  }
  return literal;
}

/** `201` for an exact status, `'4XX'` for a class: the argument of the generated `api.expectStatus`. */
export function statusArgument(expectedStatus: string): number | string {
  return /^\d+$/.test(expectedStatus) ? Number(expectedStatus) : expectedStatus.toUpperCase();
}
