import { apiRequest, createHarness, type Harness } from '../support/harness';

describe('POST /api/v1/runs/:id/execute: fail-fast and budget (PGlite, real socket)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite' });
  });
  afterAll(() => harness?.close());

  it('answers 400 naming the field for a budget that is not a whole number of at least 1, or a fail-fast that is no boolean', async () => {
    const cases: [unknown, string][] = [
      [{ budget: 0 }, 'budget'],
      [{ budget: -3 }, 'budget'],
      [{ budget: 2.5 }, 'budget'],
      [{ budget: '5' }, 'budget'],
      [{ budget: null }, 'budget'],
      [{ failFast: 'yes' }, 'failFast'],
    ];
    for (const [body, field] of cases) {
      const response = await apiRequest(harness, 'POST', '/api/v1/runs/some-run/execute', body);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      expect(response.body.error.code).toBe('invalid_request');
      expect(response.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    // Valid options get past validation: the unknown run is what is wrong then.
    const valid = await apiRequest(harness, 'POST', '/api/v1/runs/some-run/execute', { budget: 3, failFast: true });
    expect(valid.status).toBe(404);
  });
});
