import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { validateSuite, type Finding, type ValidationReport } from '../../lib/execution';
import { triageFailures } from '../../lib/execution/triage';
import type { Exchange } from '../../lib/execution/types';
import type { Operation } from '../../lib/openapi';
import { suiteFiles } from './support/hand-written-suite';
import { INVENTORY_SPEC, startInventoryApi, type InventoryServer } from './support/inventory-api';

const run = promisify(execFile);

const TESTS = `
test('reads item 13', async () => {
  expectStatus(await call('GET', '/items/13'), 200);
});
test('lists broken items with numeric prices', async () => {
  const answer = await call('GET', '/items?tag=broken');
  expectStatus(answer, 200);
  if (typeof answer.json()[0].price !== 'number') throw new Error('price is not a number: ' + answer.text);
});
test('expects 201 when reading item 1', async () => {
  expectStatus(await call('GET', '/items/1'), 201);
});
test('calls a wrong path', async () => {
  expectStatus(await call('GET', '/itemz/1'), 200);
});
test('status is ok', async () => {
  expectStatus(await call('GET', '/status'), 200);
});
test('lists items', async () => {
  expectStatus(await call('GET', '/items'), 200);
});
`;

describe('triage and flakiness against a faulty API', () => {
  let api: InventoryServer;
  let report: ValidationReport;
  let findings: Record<string, Finding>;

  beforeAll(async () => {
    api = await startInventoryApi({ serverErrorForItem: 13, brokenTag: true, alternatingStatus: true });
    report = await validateSuite({ files: suiteFiles({ 'faults.test.ts': TESTS }), api: INVENTORY_SPEC, target: { baseUrl: api.baseUrl } });
    findings = Object.fromEntries(report.findings.map((f) => [f.fullName, f]));
  });
  afterAll(async () => {
    await api?.close();
  });

  test('a test whose outcome changes between the three runs is flaky; the others are stable', () => {
    expect(report.stability.flaky.map((t) => [t.fullName, t.outcomes])).toEqual([['status is ok', ['passed', 'failed', 'passed']]]);
    expect(report.stability.flaky[0].failureMessage).toContain('expected 200, got 503');
    expect(report.stability.stablePasses.map((t) => t.fullName)).toEqual(['lists items']);
    expect(report.stability.stableFailures.map((t) => t.fullName)).toEqual([
      'reads item 13', 'lists broken items with numeric prices', 'expects 201 when reading item 1', 'calls a wrong path',
    ]);
    // Only stable failures are triaged.
    expect(Object.keys(findings).sort()).toEqual(report.stability.stableFailures.map((t) => t.fullName).sort());
  });

  test('an undocumented 500 is a possible API defect with a curl reproducer that reproduces the status', async () => {
    const finding = findings['reads item 13'];
    expect(finding).toMatchObject({ classification: 'possible-api-defect', operationId: 'showItem', file: 'tests/inventory/faults.test.ts' });
    expect(finding.reasons).toEqual([
      'GET /items/13 answered 500: a server error',
      'GET /items/13 answered 500, which showItem does not document (documented: 200, 404)',
    ]);
    expect(finding.failureMessage).toContain('expected 200, got 500');
    expect(finding.reproducer).toBe(`curl -sS -i '${api.baseUrl}/items/13'`);
    const { stdout } = await run('bash', ['-c', finding.reproducer as string]);
    expect(stdout.split('\r\n')[0]).toBe('HTTP/1.1 500 Internal Server Error');
    expect(stdout).toContain('internal error: item store unavailable');
  });

  test('a body that does not match the documented schema is a possible API defect', () => {
    const finding = findings['lists broken items with numeric prices'];
    expect(finding).toMatchObject({ classification: 'possible-api-defect', operationId: 'listItems' });
    expect(finding.reasons).toEqual([
      'GET /items answered 200 with a body that does not match the documented schema for 200: /0/price must be number',
    ]);
    expect(finding.reproducer).toBe(`curl -sS -i '${api.baseUrl}/items?tag=broken'`);
  });

  test('a wrong expectation on a documented status, or a wrong path, is a test defect', () => {
    expect(findings['expects 201 when reading item 1']).toMatchObject({
      classification: 'test-defect', operationId: 'showItem',
      reasons: ['every response agrees with the spec; the last, GET /items/1 → 200, is documented for showItem: the test\'s expectation is wrong'],
    });
    expect(findings['calls a wrong path']).toMatchObject({
      classification: 'test-defect',
      reasons: ['GET /itemz/1 matches no documented operation: the test calls a wrong path or method'],
    });
    expect(findings['calls a wrong path'].operationId).toBeUndefined();
  });

  test('coverage counts undocumented statuses and requests outside the spec separately', () => {
    const showItem = report.coverage.byOperation.find((op) => op.operationId === 'showItem');
    expect(showItem?.undocumentedStatuses).toEqual([500]);
    const getStatus = report.coverage.byOperation.find((op) => op.operationId === 'getStatus');
    expect(getStatus).toMatchObject({ requests: 3, undocumentedStatuses: [503], statuses: [{ status: '200', exercised: true }] });
    expect(report.coverage.unmatchedRequests).toEqual([1, 2, 3].map(() => ({ method: 'GET', path: '/itemz/1' })));
  });
});

describe('triage of an error answer in another media type than documented', () => {
  const operation: Operation = {
    operationId: 'createThing', method: 'post', path: '/things', parameters: [], security: [],
    responses: [
      { status: '201', mediaType: 'application/json', mediaTypes: ['application/json'], schema: { type: 'object' } },
      { status: '400', mediaType: 'application/problem+json', mediaTypes: ['application/problem+json'], schema: { type: 'object' } },
    ],
  } as unknown as Operation;
  const failing = { file: 'tests/things.test.ts', fullName: 'createThing rejects a request without required field "name" with 4xx' };
  const exchange = (contentType: string): Exchange => ({
    sequence: 1, run: 1, test: failing, method: 'POST', url: 'http://api/things', path: '/things', query: [], requestHeaders: {}, requestBody: '{}',
    status: 400, responseContentType: contentType, responseBody: '{"title":"name is required"}', durationMs: 1,
  });
  const triage = (contentType: string) => triageFailures({ failing: [failing], exchanges: [exchange(contentType)], operations: [operation], dialect: 'openapi30' })[0];

  test('is a possible API defect naming both media types', () => {
    expect(triage('application/json; charset=utf-8')).toMatchObject({
      classification: 'possible-api-defect',
      reasons: ['POST /things answered 400 with content-type "application/json; charset=utf-8", documented application/problem+json'],
    });
  });

  test('the documented one (parameters aside) is no contradiction', () => {
    expect(triage('application/problem+json; charset=utf-8').classification).toBe('test-defect');
  });
});

describe('triage of a behaviour check that failed', () => {
  const operation: Operation = {
    operationId: 'createAccount', method: 'post', path: '/accounts', parameters: [], security: [],
    responses: [{ status: '201', mediaType: 'application/json', mediaTypes: ['application/json'], schema: { type: 'object' } }, { status: '400' }],
  } as unknown as Operation;
  const failing = { file: 'tests/accounts.test.ts', fullName: 'createAccount ignores or rejects read-only field "role" sent by the client' };
  const created: Exchange = {
    sequence: 1, run: 1, test: failing, method: 'POST', url: 'http://api/accounts', path: '/accounts', query: [], requestHeaders: {}, requestBody: '{"name":"a","role":"admin"}',
    status: 201, responseContentType: 'application/json', responseBody: '{"id":1,"name":"a","role":"admin"}', durationMs: 1,
  };
  const behaviour = { outcome: 'behaviour' as const, because: 'an API of this shape promises it' };
  const triage = (failureMessage: string, exchange = created) =>
    triageFailures({ failing: [{ ...failing, failureMessage, expectation: behaviour }], exchanges: [exchange], operations: [operation], dialect: 'openapi30' })[0];

  test('on a successful, documented answer is a possible API defect quoting the check', () => {
    expect(triage('Error: /role is read-only, yet the value the client sent, "admin", was kept\nPOST http://api/accounts returned 201')).toMatchObject({
      classification: 'possible-api-defect',
      operationId: 'createAccount',
      reasons: ['POST /accounts answered 201: /role is read-only, yet the value the client sent, "admin", was kept (an API of this shape promises it)'],
    });
  });

  test('a failed setup or a documented status other than expected stays the test\'s own', () => {
    expect(triage('Error: setup failed: POST http://api/accounts returned 400, expected 201').classification).toBe('test-defect');
    expect(triage('Error: POST http://api/accounts returned 201, expected 200').classification).toBe('test-defect');
    expect(triage('Error: /role is read-only, yet …', { ...created, status: 400, responseBody: '{}' }).classification).toBe('test-defect');
  });
});
