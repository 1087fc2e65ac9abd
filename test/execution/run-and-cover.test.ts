import { generateSpecSuite } from '../../lib/generation';
import { SuiteRunError, validateSuite, type ValidationReport } from '../../lib/execution';
import { startPetstoreServer } from '../fixtures/petstore-server';
import { loadSpec } from '../generation/spec-fixtures';
import { suiteFiles } from './support/hand-written-suite';
import { INVENTORY_SPEC, startInventoryApi, type InventoryServer } from './support/inventory-api';

const TOKEN = 'tok-7f3a9c-not-for-logs';

const ITEMS_TESTS = `
describe('items', () => {
  test('lists items', async () => {
    expectStatus(await call('GET', '/items?limit=2', { headers: { authorization: 'Bearer ' + process.env.API_AUTH_TOKEN } }), 200);
  });
  test('rejects a bad limit', async () => {
    expectStatus(await call('GET', '/items?limit=0'), 400);
  });
  test('creates an item', async () => {
    expectStatus(await call('POST', '/items', { body: { name: 'stapler', price: 7 } }), 201);
  });
  test('reads an item', async () => {
    expectStatus(await call('GET', '/items/1'), 200);
  });
  test('misses an unknown item', async () => {
    expectStatus(await call('GET', '/items/999'), 404);
  });
});
`;

const ENV_TESTS = `
test('sees only the configured environment', () => {
  const allowed = ['PATH', 'HOME', 'TMPDIR', 'API_BASE_URL', 'API_AUTH_TOKEN', 'API_TIMEOUT_MS', 'JEST_WORKER_ID', 'NODE_ENV'];
  const unexpected = Object.keys(process.env).filter((name) => !allowed.includes(name));
  if (unexpected.length) throw new Error('unexpected variables: ' + unexpected.join(', '));
  if (process.env.API_AUTH_TOKEN !== ${JSON.stringify(TOKEN)}) throw new Error('the configured credential did not arrive');
});
`;

describe('running a suite against a correct API', () => {
  let api: InventoryServer;
  let report: ValidationReport;
  const planted = { DATABASE_URL: 'postgres://testloom:pw@db/testloom', TESTLOOM_API_KEYS: 'key-abc', GITHUB_TOKEN: 'ghp_planted' };

  beforeAll(async () => {
    Object.assign(process.env, planted);
    api = await startInventoryApi();
    report = await validateSuite({
      files: suiteFiles({ 'items.test.ts': ITEMS_TESTS, 'env.test.ts': ENV_TESTS }),
      api: INVENTORY_SPEC,
      target: { baseUrl: api.baseUrl, env: { API_AUTH_TOKEN: TOKEN, API_TIMEOUT_MS: '5000' }, allowedMethods: ['POST'] },
    });
  });
  afterAll(async () => {
    for (const name of Object.keys(planted)) delete process.env[name];
    await api?.close();
  });

  test('every test passes in each of the three runs, read from the Jest report per test', () => {
    expect(report.runs).toHaveLength(3);
    for (const run of report.runs) {
      expect(run.fileErrors).toEqual([]);
      expect(run.tests.filter((t) => t.outcome !== 'passed').map((t) => `${t.fullName}: ${t.failureMessage}`)).toEqual([]);
      expect(run.tests.map((t) => [t.file, t.fullName, t.outcome])).toEqual(expect.arrayContaining([
        ['tests/inventory/items.test.ts', 'items lists items', 'passed'],
        ['tests/inventory/items.test.ts', 'items creates an item', 'passed'],
        ['tests/inventory/env.test.ts', 'sees only the configured environment', 'passed'],
      ]));
      expect(run.tests).toHaveLength(6);
      for (const test of run.tests) expect(test.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(report.stability.stablePasses).toHaveLength(6);
    expect(report.stability.stableFailures).toEqual([]);
    expect(report.stability.flaky).toEqual([]);
    expect(report.findings).toEqual([]);
  });

  test('records every exchange, names its test, and keeps the credential out of the recording', () => {
    // 5 requests per run, 3 runs.
    expect(report.exchanges).toHaveLength(15);
    const created = report.exchanges.find((e) => e.method === 'POST' && e.run === 2);
    expect(created).toMatchObject({
      test: { file: 'tests/inventory/items.test.ts', fullName: 'items creates an item' },
      url: `${api.baseUrl}/items`, path: '/items', status: 201, requestBody: '{"name":"stapler","price":7}',
    });
    expect(created?.responseContentType).toMatch(/^application\/json/);
    expect(JSON.parse(created?.responseBody ?? '')).toMatchObject({ name: 'stapler', price: 7 });
    const listed = report.exchanges.find((e) => e.test?.fullName === 'items lists items');
    expect(listed?.query).toEqual([['limit', '2']]);
    expect(listed?.requestHeaders.authorization).toBe('Bearer <secret:API_AUTH_TOKEN>');
    expect(JSON.stringify(report)).not.toContain(TOKEN);
    // The API saw the real credential and every request once per run.
    expect(api.received.filter((r) => r === 'GET /v1/items?limit=2')).toHaveLength(3);
  });

  test('measures coverage exactly against the spec', () => {
    const { coverage } = report;
    // listItems, createItem, showItem of 5 operations.
    expect(coverage.operations).toEqual({ covered: 3, total: 5, percent: 60 });
    // listItems 200 400, createItem 201, showItem 200 404; not createItem 400, deleteItem 204 404, getStatus 200.
    expect(coverage.statusCodes).toEqual({ covered: 5, total: 9, percent: 55.6 });
    // limit, showItem's itemId; not tag, X-Trace, deleteItem's itemId.
    expect(coverage.parameters).toEqual({ covered: 2, total: 5, percent: 40 });
    // name, price; not tag.
    expect(coverage.requestBodyProperties).toEqual({ covered: 2, total: 3, percent: 66.7 });
    expect(coverage.unmatchedRequests).toEqual([]);
    const byId = Object.fromEntries(coverage.byOperation.map((op) => [op.operationId, op]));
    expect(byId.listItems.parameters).toEqual([{ name: 'limit', in: 'query', exercised: true }, { name: 'tag', in: 'query', exercised: false }]);
    expect(byId.createItem.statuses).toEqual([{ status: '201', exercised: true }, { status: '400', exercised: false }]);
    expect(byId.showItem).toMatchObject({ requests: 6, undocumentedStatuses: [] });
    expect(byId.deleteItem.requests).toBe(0);
  });
});

describe('running the generated petstore suite', () => {
  test('passes every generated case through the proxy when the target allows its destructive methods', async () => {
    const api = await loadSpec('petstore');
    const suite = generateSpecSuite({ api, specId: 'swagger-petstore', outDir: 'tests/testloom/swagger-petstore' });
    const server = await startPetstoreServer();
    try {
      const report = await validateSuite({
        files: suite.artifacts, api, runs: 1,
        target: { baseUrl: server.baseUrl, allowedMethods: ['POST', 'DELETE'] },
      });
      const failures = report.runs[0].tests.filter((t) => t.outcome !== 'passed').map((t) => `${t.fullName}: ${t.failureMessage}`);
      expect(failures).toEqual([]);
      expect(report.runs[0].tests).toHaveLength(suite.cases.length);
      // Each request names its test, except the clean-ups after a test (the pets it created, deleted).
      expect(report.exchanges.every((e) => (e.cleanup ? !e.test && e.method === 'DELETE' : e.test) && e.status !== undefined && !e.refused)).toBe(true);
      expect(report.exchanges.some((e) => e.cleanup)).toBe(true);
      expect(report.coverage.operations).toEqual({ covered: 4, total: 4, percent: 100 });
    } finally {
      await server.close();
    }
  });
});

describe('the time limit', () => {
  test('stops a suite that does not finish and says so', async () => {
    const api = await startInventoryApi();
    try {
      const hanging = `test('never ends', () => new Promise(() => undefined), 600000);\n`;
      await expect(validateSuite({
        files: suiteFiles({ 'hang.test.ts': hanging }), api: INVENTORY_SPEC, runs: 1, timeLimitMs: 4000,
        target: { baseUrl: api.baseUrl },
      })).rejects.toThrow(new SuiteRunError('the suite did not finish within 4000 ms and was stopped', 'timeout'));
    } finally {
      await api.close();
    }
  });
});
