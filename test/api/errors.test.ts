import { sql } from 'kysely';
import { apiRequest, createHarness, PETSTORE, type Harness } from '../support/harness';

async function storedCounts(harness: Harness) {
  const { rows } = await sql<{ specs: number; runs: number }>`
    select (select count(*)::int from specs) as specs, (select count(*)::int from runs) as runs`.execute(harness.database.db);
  return rows[0];
}

describe('HTTP API errors over a real socket (PGlite)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite' });
  });
  afterAll(() => harness?.close());

  it('answers 400 naming the bad field and stores nothing', async () => {
    const before = await storedCounts(harness);
    const cases: [unknown, string][] = [
      [{ spec: { path: 42 } }, 'spec.path'],
      [{ spec: {} }, 'spec'],
      [{ spec: { path: PETSTORE, url: 'http://x' } }, 'spec'],
      [{ spec: { path: PETSTORE }, repository: 'not a repo' }, 'repository'],
      [{ spec: { path: PETSTORE }, colour: 'blue' }, 'colour'],
      [{}, 'spec'],
      [{ spec: { content: 'openapi: [unclosed' } }, 'spec.content'],
      [{ spec: { content: 'just: yaml' } }, 'spec.content'],
      [{ spec: { path: '/nonexistent/spec.yaml' } }, 'spec.path'],
    ];
    for (const [body, field] of cases) {
      const response = await apiRequest(harness, 'POST', '/api/v1/runs', body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toMatch(/^invalid_/);
      expect(response.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(response.body.error.message).toContain(field);
    }
    const malformed = await fetch(`${harness.api.url}/api/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"spec":' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    const badQuery = await apiRequest(harness, 'GET', '/api/v1/runs?status=done&limit=0');
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['limit', 'status']);
    expect(await storedCounts(harness)).toEqual(before);
  });

  it('answers 404 for an unknown run and an unknown route', async () => {
    const run = await apiRequest(harness, 'GET', '/api/v1/runs/00000000-0000-0000-0000-000000000000');
    expect(run.status).toBe(404);
    expect(run.body.error).toMatchObject({ code: 'not_found' });
    const cancel = await apiRequest(harness, 'POST', '/api/v1/runs/nope/cancel', {});
    expect(cancel.status).toBe(404);
    expect((await apiRequest(harness, 'GET', '/api/v2/nothing')).status).toBe(404);
  });

  it('answers 413 for an oversized upload and stores nothing', async () => {
    const before = await storedCounts(harness);
    const huge = `openapi: 3.0.3\ninfo: {title: big, version: '1'}\npaths: {}\nx-padding: "${'a'.repeat(harness.config.api.maxSpecBytes)}"\n`;
    const raw = await apiRequest(harness, 'POST', '/api/v1/runs', huge);
    expect(raw.status).toBe(413);
    expect(raw.body.error.code).toBe('payload_too_large');
    const embedded = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: huge } });
    expect(embedded.status).toBe(413);
    expect(await storedCounts(harness)).toEqual(before);
  });

  it('reports health of Temporal and the database', async () => {
    const health = await apiRequest(harness, 'GET', '/api/health');
    expect(health.status).toBe(200);
    // No worker polls this file's task queue: Temporal answers but runs would wait (degraded, still 200).
    // Every check is covered in test/observability/health.test.ts.
    expect(health.body).toMatchObject({ status: 'degraded', checks: { temporal: { status: 'degraded' }, database: { status: 'ok' } } });
  });
});
