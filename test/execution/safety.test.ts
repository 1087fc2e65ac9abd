import http from 'node:http';
import { checkTarget, startRecordingProxy, validateSuite, type TargetConfig, type ValidationReport } from '../../lib/execution';
import { suiteFiles } from './support/hand-written-suite';
import { INVENTORY_SPEC, startInventoryApi, startOtherHost, type InventoryServer } from './support/inventory-api';

function risky(otherOrigin: string): string {
  return `
test('calls another host', async () => {
  const answer = await fetch(${JSON.stringify(`${otherOrigin}/collect?data=1`)});
  expectStatus({ status: answer.status, text: await answer.text(), json: () => null }, 200);
});
test('follows a redirect to another host', async () => {
  expectStatus(await call('GET', '/go'), 200);
});
test('deletes item 2', async () => {
  expectStatus(await call('DELETE', '/items/2'), 204);
});
`;
}

describe('the safety policy', () => {
  let api: InventoryServer;
  let other: Awaited<ReturnType<typeof startOtherHost>>;

  beforeEach(async () => {
    other = await startOtherHost();
    api = await startInventoryApi({ redirectTo: `${other.origin}/landing` });
  });
  afterEach(async () => {
    await api?.close();
    await other?.close();
  });

  const validate = (target: Omit<TargetConfig, 'baseUrl'>): Promise<ValidationReport> =>
    validateSuite({ files: suiteFiles({ 'risky.test.ts': risky(other.origin) }), api: INVENTORY_SPEC, runs: 1, target: { baseUrl: api.baseUrl, ...target } });

  test('refuses requests to another host, directly or by redirect, and a DELETE that was not allowed', async () => {
    const report = await validate({});
    expect(report.runs[0].tests.map((t) => [t.fullName, t.outcome])).toEqual([
      ['calls another host', 'failed'], ['follows a redirect to another host', 'failed'], ['deletes item 2', 'failed'],
    ]);
    // Nothing reached the other host, and the API never saw the DELETE.
    expect(other.received).toEqual([]);
    expect(api.received).toEqual(['GET /v1/go']);
    const failures = Object.fromEntries(report.runs[0].tests.map((t) => [t.fullName, t.failureMessage]));
    expect(failures['calls another host']).toContain(`testloom refused the request: GET ${other.origin} refused: only ${new URL(api.baseUrl).origin} may be called`);
    expect(failures['follows a redirect to another host']).toContain(`testloom refused the request: GET ${other.origin} refused`);
    expect(failures['deletes item 2']).toContain(`testloom refused the request: DELETE /v1/items/2 refused: DELETE is not allowed for ${new URL(api.baseUrl).origin} (allow it in the target's allowedMethods)`);

    expect(report.exchanges.map((e) => [e.test?.fullName, e.method, e.url, e.refused?.reason, e.status])).toEqual([
      ['calls another host', 'GET', `${other.origin}/collect?data=1`, 'other-host', undefined],
      ['follows a redirect to another host', 'GET', `${api.baseUrl}/go`, undefined, 302],
      ['follows a redirect to another host', 'GET', `${other.origin}/landing`, 'other-host', undefined],
      ['deletes item 2', 'DELETE', `${api.baseUrl}/items/2`, 'destructive-method', undefined],
    ]);
    // Refused requests are neither test nor API defects: they never reached the API.
    expect(report.findings.map((f) => [f.fullName, f.classification])).toEqual([
      ['calls another host', 'blocked'], ['follows a redirect to another host', 'blocked'], ['deletes item 2', 'blocked'],
    ]);
    expect(report.coverage.operations.covered).toBe(0);
  });

  test('forwards to hosts on the allow-list and the destructive methods the user allowed', async () => {
    const report = await validate({ allowedHosts: [new URL(other.origin).host], allowedMethods: ['delete'] });
    expect(report.runs[0].tests.map((t) => [t.fullName, t.outcome, t.failureMessage])).toEqual([
      ['calls another host', 'passed', undefined], ['follows a redirect to another host', 'passed', undefined], ['deletes item 2', 'passed', undefined],
    ]);
    expect(other.received).toEqual(['GET /collect?data=1', 'GET /landing']);
    expect(api.received).toEqual(['GET /v1/go', 'DELETE /v1/items/2']);
    expect(report.exchanges.every((e) => !e.refused)).toBe(true);
    expect(report.coverage.byOperation.find((op) => op.operationId === 'deleteItem')?.statuses).toEqual([
      { status: '204', exercised: true }, { status: '404', exercised: false },
    ]);
  });

  test('refuses for clients that do not go through the tagging setup, answers a 5xx so no 4xx expectation passes, and refuses tunnels', async () => {
    const proxy = await startRecordingProxy(checkTarget({ baseUrl: api.baseUrl }));
    try {
      const refused = await fetch(`${proxy.baseUrl}/items`, { method: 'POST', body: '{"name":"x"}', headers: { 'content-type': 'application/json' } });
      expect(refused.status).toBe(502);
      expect(await refused.json()).toEqual({ testloomRefused: `POST /v1/items refused: POST is not allowed for ${new URL(api.baseUrl).origin} (allow it in the target's allowedMethods)` });
      const read = await fetch(`${proxy.baseUrl}/items/1`);
      expect(read.status).toBe(200);
      expect(proxy.exchanges.map((e) => [e.method, e.path, e.refused?.reason, e.status, e.test])).toEqual([
        ['POST', '/items', 'destructive-method', undefined, undefined],
        ['GET', '/items/1', undefined, 200, undefined],
      ]);
      expect(api.received).toEqual(['GET /v1/items/1']);
      const tunnel = await new Promise<number | undefined>((resolve, reject) => {
        const request = http.request({ host: '127.0.0.1', port: new URL(proxy.origin).port, method: 'CONNECT', path: new URL(other.origin).host });
        request.on('connect', (response, socket) => {
          socket.destroy();
          resolve(response.statusCode);
        });
        request.on('error', reject);
        request.end();
      });
      expect(tunnel).toBe(403);
      expect(proxy.exchanges[2]).toMatchObject({ method: 'CONNECT', refused: { reason: 'other-host', message: `CONNECT ${new URL(other.origin).host} refused: tunnels cannot be recorded` } });
      expect(other.received).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  test('rejects a target configuration that would leak testloom settings or is malformed, naming the setting', () => {
    expect(() => checkTarget({ baseUrl: 'ftp://api.test' })).toThrow('target baseUrl "ftp://api.test" must be http or https');
    expect(() => checkTarget({ baseUrl: 'http://api.test', env: { DATABASE_URL: 'x' } })).toThrow('target env "DATABASE_URL" is not allowed: the suite only receives API_* variables');
    expect(() => checkTarget({ baseUrl: 'http://api.test', env: { API_BASE_URL: 'http://elsewhere' } })).toThrow('target env API_BASE_URL is set by the runner');
    expect(() => checkTarget({ baseUrl: 'http://api.test', allowedMethods: ['GET'] })).toThrow('target allowedMethods "GET" is not one of DELETE, PUT, PATCH, POST');
    expect(() => checkTarget({ baseUrl: 'http://api.test', allowedHosts: ['http://x.test/'] })).toThrow('target allowedHosts "http://x.test/" is not a host name');
  });
});
