import { sql } from 'kysely';
import { ENV_SETTINGS } from '../../lib/config';
import { InvalidTargetError } from '../../lib/core/target';
import { isProtectedVariable, resolveTargetEnv } from '../../lib/core/target-policy';
import { apiRequest, createHarness, type Harness } from '../support/harness';

const SPEC = `openapi: 3.0.3
info: {title: Credentials, version: '1'}
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer}
security: [{bearerAuth: []}]
paths:
  /things:
    get:
      responses:
        '200': {description: ok}
`;

async function storedCounts(harness: Harness) {
  const { rows } = await sql<{ specs: number; runs: number }>`
    select (select count(*)::int from specs) as specs, (select count(*)::int from runs) as runs`.execute(harness.database.db);
  return rows[0];
}

function startWithCredential(harness: Harness, reference: string) {
  return apiRequest(harness, 'POST', '/api/v1/runs', {
    spec: { content: SPEC },
    repository: 'local/target-credentials',
    target: { baseUrl: 'http://127.0.0.1:9/v1', env: { API_AUTH_BEARER_AUTH: reference } },
  });
}

describe('what a requested target may receive from the worker environment', () => {
  let harness: Harness;
  beforeAll(async () => {
    // The operator lists a prefix and, by mistake, testloom's own webhook secret: still refused.
    harness = await createHarness({ database: 'pglite', chromaUrl: 'off', env: { TESTLOOM_TARGET_VARIABLES: 'STAGING_*,GITHUB_WEBHOOK_SECRET' } });
  });
  afterAll(() => harness?.close());

  it.each(['GITHUB_WEBHOOK_SECRET', 'DATABASE_URL', 'TESTLOOM_API_KEYS', 'GITHUB_TOKEN', 'TESTLOOM_OPENAI_API_KEY'])(
    'refuses ${%s} with a 400 naming the variable, and stores nothing',
    async (variable) => {
      const before = await storedCounts(harness);
      const response = await startWithCredential(harness, `\${${variable}}`);
      expect(response.status).toBe(400);
      expect(response.body.error.details).toEqual([{
        field: 'target.env.API_AUTH_BEARER_AUTH',
        message: `target env API_AUTH_BEARER_AUTH refers to ${variable}, one of testloom's own settings or secrets, which a target can never receive`,
      }]);
      expect(await storedCounts(harness)).toEqual(before);
    },
  );

  it('refuses a variable the operator did not list, naming the list', async () => {
    const before = await storedCounts(harness);
    const response = await startWithCredential(harness, '${HOME}');
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([{
      field: 'target.env.API_AUTH_BEARER_AUTH',
      message: 'target env API_AUTH_BEARER_AUTH refers to HOME, which is not a variable targets may use (TESTLOOM_TARGET_VARIABLES: STAGING_*, GITHUB_WEBHOOK_SECRET)',
    }]);
    expect(await storedCounts(harness)).toEqual(before);
  });

  it('accepts a listed variable', async () => {
    const response = await startWithCredential(harness, '${STAGING_TOKEN}');
    expect(response.status).toBe(202);
    await harness.client.workflow.getHandle(response.body.workflowId).terminate('test done');
  });
});

describe('the worker side of target references', () => {
  it('never resolves a protected variable, even for a target checked by an older version', () => {
    const target = { baseUrl: 'http://127.0.0.1:9', env: { API_AUTH_BEARER_AUTH: '${GITHUB_WEBHOOK_SECRET}' } };
    expect(() => resolveTargetEnv(target, { GITHUB_WEBHOOK_SECRET: 'whsec-very-secret-value' })).toThrow(InvalidTargetError);
    expect(resolveTargetEnv({ ...target, env: { API_AUTH_BEARER_AUTH: '${STAGING_TOKEN}' } }, { STAGING_TOKEN: 'tok' }).env).toEqual({ API_AUTH_BEARER_AUTH: 'tok' });
  });

  it('protects every setting testloom itself reads', () => {
    const unprotected = Object.values(ENV_SETTINGS).map((s) => s.name).filter((name) => !isProtectedVariable(name));
    expect(unprotected).toEqual([]);
  });
});
