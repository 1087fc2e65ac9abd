/**
 * `readOnly` values a client sends are ignored (or the request rejected): a write whose body schema
 * marks properties read-only is sent with a value of each the API could not have chosen itself.
 * Run as a user would against a local API, in Jest and pytest: an API that ignores them and one
 * that rejects them both pass; an API that stores what the client sent (mass assignment) fails
 * exactly the test of that field.
 */
import fs from 'node:fs/promises';
import express from 'express';
import { generateSpecSuite, type GeneratedSuite } from '../../lib/generation';
import { dereferenceSpec } from '../../lib/openapi/dereference';
import { targetRepository } from './spec-fixtures';
import { failingNames, failuresOf, runAgainst, runPytest, serveOnLoopback } from './run-generated';

const OUT_DIR = 'tests/testloom/accounts';
const json = (schema: object) => ({ 'application/json': { schema } });

const SPEC = {
  openapi: '3.0.3',
  info: { title: 'Accounts', version: '1' },
  paths: {
    '/accounts': {
      post: {
        operationId: 'createAccount',
        requestBody: { required: true, content: json({ $ref: '#/components/schemas/Account' }) },
        responses: { '201': { description: 'created', content: json({ $ref: '#/components/schemas/Account' }) }, '400': { description: 'invalid' } },
      },
    },
    '/accounts/{accountId}': {
      parameters: [{ name: 'accountId', in: 'path', required: true, schema: { type: 'integer' } }],
      get: { operationId: 'getAccount', responses: { '200': { description: 'the account', content: json({ $ref: '#/components/schemas/Account' }) }, '404': { description: 'unknown' } } },
    },
  },
  components: {
    schemas: {
      Account: {
        type: 'object',
        required: ['name'],
        properties: {
          id: { type: 'integer', readOnly: true },
          name: { type: 'string', minLength: 1, maxLength: 40 },
          role: { type: 'string', enum: ['member', 'admin'], default: 'member', readOnly: true },
          // Without a documented default, the API's own choice is unknown: not sent.
          tier: { type: 'string', enum: ['free', 'paid'], readOnly: true },
          createdAt: { type: 'string', format: 'date-time', readOnly: true },
        },
      },
    },
  },
};

type Behaviour = 'ignores' | 'rejects' | 'keepsId' | 'keepsRole' | 'keepsCreatedAt';

/** The accounts API: read-only fields ignored, or rejected, or (a fault) one of them kept as sent. */
async function startAccounts(behaviour: Behaviour = 'ignores'): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const accounts = new Map<number, Record<string, unknown>>();
  let nextId = 1;
  const app = express();
  app.use(express.json());
  app.post('/accounts', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.name !== 'string' || !body.name || body.name.length > 40) return res.status(400).json({ message: 'invalid name' });
    if (behaviour === 'rejects' && ['id', 'role', 'tier', 'createdAt'].some((field) => field in body)) return res.status(400).json({ message: 'read-only field sent' });
    const account = {
      id: behaviour === 'keepsId' && typeof body.id === 'number' ? body.id : nextId++,
      name: body.name,
      role: behaviour === 'keepsRole' && typeof body.role === 'string' ? body.role : 'member',
      tier: 'free',
      createdAt: behaviour === 'keepsCreatedAt' && typeof body.createdAt === 'string' ? body.createdAt : new Date().toISOString(),
    };
    accounts.set(account.id, account);
    res.status(201).json(account);
  });
  app.get('/accounts/:id', (req, res) => {
    const account = accounts.get(Number(req.params.id));
    return account ? res.json(account) : res.status(404).json({ message: 'unknown' });
  });
  return serveOnLoopback(app);
}

const FAULTS: [Behaviour, string][] = [
  ['keepsId', 'createAccount ignores or rejects read-only field "id" sent by the client'],
  ['keepsRole', 'createAccount ignores or rejects read-only field "role" sent by the client'],
  ['keepsCreatedAt', 'createAccount ignores or rejects read-only field "createdAt" sent by the client'],
];

describe('read-only fields sent by a client', () => {
  let suite: GeneratedSuite;
  let repoDir: string;

  beforeAll(async () => {
    suite = generateSpecSuite({ api: await dereferenceSpec(structuredClone(SPEC)), specId: 'accounts', outDir: OUT_DIR });
    repoDir = await targetRepository(suite.artifacts, 'testloom-read-only-');
  });
  afterAll(async () => {
    if (repoDir) await fs.rm(repoDir, { recursive: true, force: true });
  });

  test('are sent one per case, with a value the API would not choose, expecting success or a 4xx', () => {
    const cases = suite.cases.filter((c) => c.id.endsWith('.read-only'));
    expect(cases.map((c) => `${c.operationId} ${c.title}`)).toEqual(FAULTS.map(([, name]) => name));
    const role = cases.find((c) => c.id === 'createAccount/behaviour/body.role.read-only')!;
    expect(role.request.body).toMatchObject({ role: 'admin' });
    expect(role.steps!.at(-1)).toMatchObject({ expectedStatus: '201|4XX', checks: [{ kind: 'not-stored', pointer: '/role', value: 'admin' }] });
    // The happy path and every other case send no read-only field.
    for (const other of suite.cases.filter((c) => !c.id.endsWith('.read-only') && c.operationId === 'createAccount')) {
      expect(Object.keys((other.request.body ?? {})).filter((name) => ['id', 'role', 'tier', 'createdAt'].includes(name))).toEqual([]);
    }
  });

  test.each(['ignores', 'rejects'] as Behaviour[])('pass against an API that %s them', async (behaviour) => {
    const results = await runAgainst(repoDir, OUT_DIR, startAccounts(behaviour));
    expect(failuresOf(results)).toEqual([]);
    expect(results.numPassedTests).toBe(suite.cases.length);
  });

  test.each(FAULTS)('catch an API that keeps one as sent (%s)', async (fault, failing) => {
    expect(failingNames(await runAgainst(repoDir, OUT_DIR, startAccounts(fault)))).toEqual([failing]);
  });

  test('in pytest too: the API that ignores them passes, the one that keeps the role fails that test alone', async () => {
    const pytestSuite = generateSpecSuite({ api: await dereferenceSpec(structuredClone(SPEC)), specId: 'accounts', outDir: OUT_DIR, framework: 'pytest' });
    const dir = await targetRepository(pytestSuite.artifacts, 'testloom-read-only-py-');
    const good = await startAccounts();
    const faulty = await startAccounts('keepsRole');
    try {
      expect((await runPytest(dir, OUT_DIR, good.baseUrl)).text).toContain(`${pytestSuite.cases.length} passed`);
      const failing = await runPytest(dir, OUT_DIR, faulty.baseUrl);
      expect(failing.text).toContain('1 failed');
      expect(failing.text).toContain('TestCreateAccount::test_ignores_or_rejects_read_only_field_role_sent_by_the_client');
      expect(failing.text).toContain('/role is read-only, yet the value the client sent, "admin", was kept');
    } finally {
      await Promise.all([good.close(), faulty.close()]);
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
