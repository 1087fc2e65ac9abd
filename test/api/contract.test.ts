/**
 * The API's description and its behaviour agree, over real sockets (PGlite): bad input is a 4xx
 * in the error envelope the description lists for that operation, never a 500; `Allow` names every
 * method a path has; what the description's schemas accept, the server accepts.
 */
import net from 'node:net';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { upsertRun } from '../../lib/db/runs';
import { apiRequest, createHarness, type Harness } from '../support/harness';

const SPEC = 'openapi: 3.0.3\ninfo: {title: Contract, version: "1"}\npaths: {}\n';

function expectEnvelope(answer: { status: number; body: any }, status: number, code: string, field?: string) {
  expect({ status: answer.status, code: answer.body?.error?.code }).toEqual({ status, code });
  expect(answer.body.error).toEqual({ code, message: expect.any(String), details: expect.any(Array) });
  if (field) expect(answer.body.error.details.map((d: { field?: string }) => d.field)).toContain(field);
}

describe('the API does what its description says (PGlite)', () => {
  let harness: Harness;
  let document: any;
  const operation = (path: string, method: string) => document.paths[path][method];

  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite', chromaUrl: 'off' });
    document = (await apiRequest(harness, 'GET', '/api/openapi.json')).body;
  });
  afterAll(() => harness?.close());

  it('refuses an issue number beyond 2147483647 with a 400 naming the field, as the issue pattern says', async () => {
    const tooBig = await apiRequest(harness, 'POST', '/api/v1/runs', { issue: 'octo/x#2147483648' });
    expectEnvelope(tooBig, 400, 'invalid_request', 'issue');
    expect(tooBig.body.error.message).toContain('from 1 to 2147483647');
    expectEnvelope(await apiRequest(harness, 'POST', '/api/v1/runs', { issue: 'octo/x#99999999999999999999' }), 400, 'invalid_request', 'issue');

    const pattern = new RegExp(document.components.schemas.IssueRunRequest.properties.issue.pattern);
    expect(pattern.test('octo/x#2147483648')).toBe(false);
    expect(pattern.test('octo/x#2147483647')).toBe(true);
    // The largest number passes validation and reaches the repository host, which does not know it.
    expectEnvelope(await apiRequest(harness, 'POST', '/api/v1/runs', { issue: 'octo/x#2147483647' }), 404, 'not_found');
  });

  it('documents the 404 of an issue the repository host does not know', async () => {
    expectEnvelope(await apiRequest(harness, 'POST', '/api/v1/runs', { issue: '0/0#1' }), 404, 'not_found');
    expect(operation('/api/v1/runs', 'post').responses['404'].description).toMatch(/issue is unknown to the repository host/);
  });

  it('answers OPTIONS and 405s with every method the path has', async () => {
    for (const [path, item] of Object.entries<Record<string, unknown>>(document.paths)) {
      const methods = Object.keys(item).filter((key) => key !== 'parameters').map((m) => m.toUpperCase());
      const expected = [...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].sort();
      const url = `${harness.api.url}${path.replace(/\{[^}]+\}/g, 'some-id')}`;
      const options = await fetch(url, { method: 'OPTIONS' });
      expect({ path, status: options.status }).toEqual({ path, status: 204 });
      expect(options.headers.get('allow')!.split(', ').sort()).toEqual(expected);
      const wrong = await fetch(url, { method: 'PUT' });
      expect({ path, status: wrong.status }).toEqual({ path, status: 405 });
      expect(wrong.headers.get('allow')!.split(', ').sort()).toEqual(expected);
    }
    expect((await fetch(`${harness.api.url}/api/v1/runs`, { method: 'OPTIONS' })).headers.get('allow')).toBe('GET, POST, HEAD, OPTIONS');
  });

  it('takes every cursor of the documented form and refuses the rest with a 400', async () => {
    const repository = 'contract/cursors';
    for (let i = 0; i < 3; i++) await upsertRun(harness.database.db, { id: `cursor-${i}/ü`, workflowId: `wf-${i}`, trigger: 'spec', repository });
    const pattern = new RegExp(operation('/api/v1/runs', 'get').parameters.find((p: { name: string }) => p.name === 'cursor').schema.pattern);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await apiRequest(harness, 'GET', `/api/v1/runs?repository=${repository}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.runs.map((r: { id: string }) => r.id));
      cursor = page.body.nextCursor;
      if (cursor) expect(cursor).toMatch(pattern);
    } while (cursor);
    expect(seen.sort()).toEqual(['cursor-0/ü', 'cursor-1/ü', 'cursor-2/ü']);

    for (const made of ['0.000000.AA', '9999999999.999999.AAAA', `1.000000.${Buffer.from('\0').toString('base64url')}`]) {
      expect(made).toMatch(pattern);
      expect((await apiRequest(harness, 'GET', `/api/v1/runs?cursor=${made}`)).status).toBe(200);
    }
    for (const bad of ['0', 'not-a-cursor', '1.1.AA', '99999999999.000000.AA']) {
      expect(bad).not.toMatch(pattern);
      expectEnvelope(await apiRequest(harness, 'GET', `/api/v1/runs?cursor=${bad}`), 400, 'invalid_request', 'cursor');
    }
  });

  it('lists the 400 invalid_spec that a schema-valid spec content which is no API description gets', async () => {
    const answer = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: '0' } });
    expectEnvelope(answer, 400, 'invalid_spec', 'spec.content');
    const startRun = operation('/api/v1/runs', 'post');
    expect(startRun.responses['400'].description).toContain('invalid_spec');
    expect(document.components.schemas.SpecReference.properties.content.description).toContain('400 `invalid_spec`');
  });

  it('answers odd inputs with a 4xx in the error envelope, never a 500', async () => {
    const run = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: SPEC }, repository: 'contract/odd' });
    expect(run.status).toBe(202);
    const { runId } = run.body;
    const cases: [string, string, unknown, number, string, string?][] = [
      ['GET', '/api/v1/runs/%00', undefined, 404, 'not_found'],
      ['GET', `/api/v1/runs/${'x'.repeat(5000)}`, undefined, 404, 'not_found'],
      ['GET', '/api/v1/runs/a%00b/executions', undefined, 404, 'not_found'],
      ['GET', `/api/v1/runs/${runId}/executions/%00`, undefined, 404, 'not_found'],
      ['GET', '/api/v1/runs/%ZZ', undefined, 400, 'invalid_request'],
      ['GET', '/api/v1/runs?limit=1&limit=2', undefined, 400, 'invalid_request', 'limit'],
      ['GET', '/api/v1/runs?limit=99999999999999999999999', undefined, 400, 'invalid_request', 'limit'],
      ['GET', '/api/v1/runs?status[x]=queued', undefined, 400, 'invalid_request'],
      ['POST', `/api/v1/runs/${runId}/cancel`, { reason: 'a\u0000b' }, 400, 'invalid_request', 'reason'],
      ['POST', `/api/v1/runs/${runId}/execute`, { target: { baseUrl: 'http://127.0.0.1:1', env: { API_TOKEN: 'a\u0000b' } } }, 400, 'invalid_request', 'target.env.API_TOKEN'],
      ['POST', '/api/v1/runs', { spec: { content: JSON.stringify({ openapi: '3.0.3', info: { title: 'a\u0000b', version: '1' }, paths: {} }) } }, 400, 'invalid_request'],
      ['POST', '/api/v1/runs', { spec: { content: 5 } }, 400, 'invalid_request', 'spec.content'],
      ['POST', '/api/v1/runs', { issue: 'octo/x#1', repository: 7 }, 400, 'invalid_request', 'repository'],
      ['POST', '/api/v1/runs?repository=other/repo', { spec: { content: SPEC }, repository: 'contract/odd' }, 400, 'invalid_request', 'repository'],
      ['POST', '/api/v1/runs?repository=not-a-repo', { spec: { content: SPEC } }, 400, 'invalid_request', 'repository'],
    ];
    for (const [method, path, body, status, code, field] of cases) {
      const answer = await apiRequest(harness, method, path, body);
      expect({ method, path: path.slice(0, 80), status: answer.status }).toEqual({ method, path: path.slice(0, 80), status });
      expectEnvelope(answer, status, code, field);
    }
    // ?repository= names the repository of a JSON body too, as the description says.
    const viaQuery = await apiRequest(harness, 'POST', '/api/v1/runs?repository=contract/odd', { spec: { content: SPEC } });
    expect(viaQuery).toMatchObject({ status: 200, body: { runId } });
  });

  it('answers what Node\'s HTTP parser refuses in the error envelope too', async () => {
    const { port } = new URL(harness.api.url);
    const raw = (request: string) => new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(request));
      let answer = '';
      socket.on('data', (chunk: Buffer) => { answer += chunk.toString(); });
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
    const tooLarge = await raw(`GET /api/v1/runs?x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(tooLarge).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(tooLarge.slice(tooLarge.indexOf('\r\n\r\n') + 4)).error).toMatchObject({ code: 'headers_too_large', details: [] });
    const malformed = await raw('GET /api/health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n');
    expect(malformed).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(malformed.slice(malformed.indexOf('\r\n\r\n') + 4)).error.code).toBe('invalid_request');
  });

  it('states in its schemas that stored text may not hold a NUL character', () => {
    const ajv = new Ajv2020({ strict: false, allowUnionTypes: true });
    addFormats(ajv);
    ajv.addSchema(document, 'doc');
    const cancel = ajv.getSchema('doc#/components/schemas/CancelRunRequest')!;
    expect(cancel({ reason: 'a\u0000b' })).toBe(false);
    expect(cancel({ reason: 'stop' })).toBe(true);
  });
});
