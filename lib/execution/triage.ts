import { documentsMediaType, isJsonMediaType, type Operation } from '../openapi';
import { curlCommand } from './curl';
import { documentedResponse, operationMatcher, type OperationMatcher } from './operation-match';
import { ResponseBodyChecker, type SchemaDialect } from './response-check';
import type { Exchange } from './types';

/**
 * The deterministic part of triage: a failing test whose exchanges contradict the spec points at
 * the API; one whose exchanges all agree with the spec points at the test itself.
 */

export type Classification =
  /** Undocumented status, body not matching the documented schema, or a 5xx. */
  | 'possible-api-defect'
  /** The API answered as documented: wrong expectation, bad data, wrong path… */
  | 'test-defect'
  /** A request never reached the API: refused by the safety policy, or the API was unreachable. */
  | 'blocked';

export interface FailingTest {
  file: string;
  fullName: string;
  failureMessage?: string;
  /**
   * What the spec itself says the test's request must get, when the generator derived the test from
   * a constraint: `rejection` (an invalid value or missing credentials: any success contradicts the
   * spec), `acceptance` (a value exactly at a limit: a 4xx contradicts it) or `behaviour` (what an API
   * of its shape promises: a check of a successful answer failing contradicts it). `because` says why.
   */
  expectation?: { outcome: 'rejection' | 'acceptance' | 'behaviour'; because: string };
}

export interface Finding {
  file: string;
  fullName: string;
  classification: Classification;
  reasons: string[];
  failureMessage?: string;
  operationId?: string;
  /** The exchange the classification rests on (the last one of the test for a test defect). */
  exchange?: Exchange;
  /** Sends that exchange's request again, straight to the API. */
  reproducer?: string;
}

export interface TriageInput {
  failing: FailingTest[];
  exchanges: Exchange[];
  operations: Operation[];
  dialect: SchemaDialect;
}

function contradictions(exchange: Exchange, operation: Operation, checker: ResponseBodyChecker): string[] {
  const status = exchange.status as number;
  const label = `${exchange.method} ${exchange.path} answered ${status}`;
  const documented = documentedResponse(operation.responses, status);
  const reasons: string[] = [];
  if (status >= 500) reasons.push(`${label}: a server error`);
  if (!documented) {
    reasons.push(`${label}, which ${operation.operationId} does not document (documented: ${operation.responses.map((r) => r.status).join(', ') || 'none'})`);
    return reasons;
  }
  const contentType = exchange.responseContentType ?? '';
  if (documented.mediaTypes?.length && exchange.responseBody && contentType && !documentsMediaType(documented.mediaTypes, contentType)) {
    reasons.push(`${label} with content-type "${contentType}", documented ${documented.mediaTypes.join(' or ')}`);
    return reasons;
  }
  if (!documented.schema || !documented.mediaType || !isJsonMediaType(documented.mediaType)) return reasons;
  if (!isJsonMediaType(contentType)) {
    if (exchange.responseBody) reasons.push(`${label} with content-type "${contentType}", documented ${documented.mediaType}`);
    return reasons;
  }
  if (exchange.responseBodyTruncated) return reasons;
  const check = checker.check(documented.schema, exchange.responseBody ?? '');
  if (check.valid === false) reasons.push(`${label} with a body that does not match the documented schema for ${documented.status}: ${check.errors.join('; ')}`);
  return reasons;
}

/** A documented answer that still contradicts the spec: success for a request it forbids, a 4xx for one it allows. */
function expectationBroken(expectation: NonNullable<FailingTest['expectation']>, exchange: Exchange): string | undefined {
  const status = exchange.status as number;
  const label = `${exchange.method} ${exchange.path} answered ${status}`;
  if (expectation.outcome === 'rejection' && status >= 200 && status < 300) return `${label}: the API accepted a request the spec says it must reject (${expectation.because})`;
  if (expectation.outcome === 'acceptance' && status >= 400 && status < 500) return `${label}: the API rejected a request the spec allows (${expectation.because})`;
  return undefined;
}

/** The first line with text, at most 300 characters. */
export function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n').find((line) => line.trim())?.trim().slice(0, 300) ?? '';
}

/** A behaviour check that failed on a successful answer (not its status, not a setup step): the API broke what its spec promises. */
function behaviourBroken(test: FailingTest, last: Exchange): string | undefined {
  const message = firstLine(test.failureMessage).replace(/^\w*Error: /, '');
  if (test.expectation?.outcome !== 'behaviour' || !message || /setup failed|returned \d{3}, expected/.test(message)) return undefined;
  if (last.status === undefined || last.status < 200 || last.status > 299) return undefined;
  return `${last.method} ${last.path} answered ${last.status}: ${message} (${test.expectation.because})`;
}

function classify(test: FailingTest, exchanges: Exchange[], matcher: OperationMatcher, checker: ResponseBodyChecker): Finding {
  const base: Finding = { file: test.file, fullName: test.fullName, classification: 'test-defect', reasons: [] };
  if (test.failureMessage) base.failureMessage = test.failureMessage;
  for (const exchange of exchanges) {
    if (exchange.refused || exchange.error || exchange.status === undefined) {
      const reason = exchange.refused?.message ?? exchange.error ?? `${exchange.method} ${exchange.url} got no answer`;
      return { ...base, classification: 'blocked', reasons: [reason], exchange };
    }
    const operation = exchange.path === undefined ? undefined : matcher.match(exchange.method, exchange.path);
    if (!operation) continue;
    const reasons = contradictions(exchange, operation, checker);
    if (reasons.length) return { ...base, classification: 'possible-api-defect', reasons, operationId: operation.operationId, exchange, reproducer: curlCommand(exchange) };
  }
  const last = exchanges.at(-1);
  if (!last) return { ...base, reasons: ['the test failed before sending any request'] };
  const operation = last.path === undefined ? undefined : matcher.match(last.method, last.path);
  const contradiction = operation && test.expectation ? expectationBroken(test.expectation, last) ?? behaviourBroken(test, last) : undefined;
  if (contradiction) {
    return { ...base, classification: 'possible-api-defect', reasons: [contradiction], operationId: operation!.operationId, exchange: last, reproducer: curlCommand(last) };
  }
  const reasons = operation
    ? [`every response agrees with the spec; the last, ${last.method} ${last.path} → ${last.status}, is documented for ${operation.operationId}: the test's expectation is wrong`]
    : [`${last.method} ${last.path ?? last.url} matches no documented operation: the test calls a wrong path or method`];
  return { ...base, reasons, ...(operation ? { operationId: operation.operationId } : {}), exchange: last, reproducer: curlCommand(last) };
}

/** Classifies each failing test from the exchanges it made in the last run that reported it. */
export function triageFailures(input: TriageInput): Finding[] {
  const matcher = operationMatcher(input.operations);
  const checker = new ResponseBodyChecker(input.dialect);
  return input.failing.map((test) => {
    const own = input.exchanges.filter((e) => e.test?.file === test.file && e.test.fullName === test.fullName);
    const lastRun = Math.max(0, ...own.map((e) => e.run));
    return classify(test, own.filter((e) => e.run === lastRun), matcher, checker);
  });
}

/** Each exchange of a test whose answer contradicts the spec, with the reasons. */
export function contradictingExchanges(input: { exchanges: Exchange[]; operations: Operation[]; dialect: SchemaDialect; expectation?: FailingTest['expectation'] }): { exchange: Exchange; operation: Operation; reasons: string[] }[] {
  const matcher = operationMatcher(input.operations);
  const checker = new ResponseBodyChecker(input.dialect);
  const found: { exchange: Exchange; operation: Operation; reasons: string[] }[] = [];
  // The expectation is about the request the test is named for, its last; earlier ones made what it needs.
  const last = input.exchanges.at(-1);
  for (const exchange of input.exchanges) {
    if (exchange.status === undefined || exchange.path === undefined) continue;
    const operation = matcher.match(exchange.method, exchange.path);
    if (!operation) continue;
    const broken = input.expectation && exchange === last ? expectationBroken(input.expectation, exchange) : undefined;
    const reasons = [...contradictions(exchange, operation, checker), ...(broken ? [broken] : [])];
    if (reasons.length) found.push({ exchange, operation, reasons });
  }
  return found;
}

/**
 * Why a test's exchanges contradict the spec, if they do: a repaired test that passes only by
 * accepting such an answer would hide a possible API defect.
 */
export function specContradictions(input: Parameters<typeof contradictingExchanges>[0]): string[] {
  return contradictingExchanges(input).flatMap((found) => found.reasons);
}
