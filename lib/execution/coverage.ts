import { isJsonMediaType, objectShape, type Operation, type OperationParameter } from '../openapi';
import { documentedResponse, operationMatcher } from './operation-match';
import type { Exchange } from './types';
import type { CoverageFigure } from '../core/coverage';

export type { CoverageFigure } from '../core/coverage';

/** How much of the spec the recorded exchanges exercised. Only requests the API answered count. */


export interface OperationCoverage {
  operationId: string;
  method: string;
  path: string;
  requests: number;
  /** Documented statuses (`200`, `4XX`, `default`) a response fell under. */
  statuses: { status: string; exercised: boolean }[];
  /** Statuses answered that no documented response covers. */
  undocumentedStatuses: number[];
  parameters: { name: string; in: OperationParameter['in']; exercised: boolean }[];
  /** Top-level properties of a JSON object request body. */
  bodyProperties: { name: string; exercised: boolean }[];
}

export interface CoverageReport {
  operations: CoverageFigure;
  statusCodes: CoverageFigure;
  parameters: CoverageFigure;
  requestBodyProperties: CoverageFigure;
  byOperation: OperationCoverage[];
  /** Answered requests under the base path that match no documented operation. */
  unmatchedRequests: { method: string; path: string }[];
}

function figure(items: boolean[]): CoverageFigure {
  const covered = items.filter(Boolean).length;
  return { covered, total: items.length, percent: items.length ? Math.round((covered / items.length) * 1000) / 10 : null };
}

function sendsParameter(exchange: Exchange, parameter: OperationParameter): boolean {
  const name = parameter.name.toLowerCase();
  switch (parameter.in) {
    case 'path':
      return true;
    case 'query':
      return exchange.query.some(([key]) => key === parameter.name);
    case 'header':
      return Object.keys(exchange.requestHeaders).some((key) => key.toLowerCase() === name);
    case 'cookie':
      return (exchange.requestHeaders.cookie ?? '').split(';').some((pair) => pair.trim().split('=')[0] === parameter.name);
  }
}

function bodyKeys(exchange: Exchange): string[] {
  if (exchange.requestBody === undefined) return [];
  try {
    const body = JSON.parse(exchange.requestBody) as unknown;
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.keys(body) : [];
  } catch {
    return [];
  }
}

export function measureCoverage(operations: Operation[], exchanges: Exchange[]): CoverageReport {
  const matcher = operationMatcher(operations);
  const answered = exchanges.filter((e) => e.status !== undefined && !e.refused && !e.cleanup && e.path !== undefined);
  const byOperationId = new Map<string, Exchange[]>(operations.map((op) => [op.operationId, []]));
  const unmatchedRequests: CoverageReport['unmatchedRequests'] = [];
  for (const exchange of answered) {
    const operation = matcher.match(exchange.method, exchange.path as string);
    if (operation) byOperationId.get(operation.operationId)?.push(exchange);
    else unmatchedRequests.push({ method: exchange.method, path: exchange.path as string });
  }

  const byOperation = operations.map((operation): OperationCoverage => {
    const own = byOperationId.get(operation.operationId) ?? [];
    const exercisedStatuses = new Set<string>();
    const undocumented = new Set<number>();
    for (const exchange of own) {
      const documented = documentedResponse(operation.responses, exchange.status as number);
      if (documented) exercisedStatuses.add(documented.status);
      else undocumented.add(exchange.status as number);
    }
    const body = operation.requestBody;
    const shape = body && isJsonMediaType(body.mediaType) ? objectShape(body.schema) : undefined;
    const sentKeys = new Set(own.flatMap(bodyKeys));
    return {
      operationId: operation.operationId,
      method: operation.method.toUpperCase(),
      path: operation.path,
      requests: own.length,
      statuses: operation.responses.map((r) => ({ status: r.status, exercised: exercisedStatuses.has(r.status) })),
      undocumentedStatuses: [...undocumented].sort((a, b) => a - b),
      parameters: operation.parameters.map((p) => ({ name: p.name, in: p.in, exercised: own.some((e) => sendsParameter(e, p)) })),
      bodyProperties: (shape?.properties ?? []).map(([name]) => ({ name, exercised: sentKeys.has(name) })),
    };
  });

  return {
    operations: figure(byOperation.map((op) => op.requests > 0)),
    statusCodes: figure(byOperation.flatMap((op) => op.statuses.map((s) => s.exercised))),
    parameters: figure(byOperation.flatMap((op) => op.parameters.map((p) => p.exercised))),
    requestBodyProperties: figure(byOperation.flatMap((op) => op.bodyProperties.map((p) => p.exercised))),
    byOperation,
    unmatchedRequests,
  };
}
