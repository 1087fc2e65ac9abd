import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../lib/net/free-port';
import { apiRequest, createHarness, type Harness } from '../support/harness';
import { diskTmpdir } from '../support/memory-tmpdir';
import { startFakeOllama, type FakeOllama } from '../support/ollama-server';

const CHECKS = ['temporal', 'database', 'vectorStore', 'modelProvider', 'repositoryHost'];

describe('GET /api/health', () => {
  describe('with every dependency up', () => {
    let harness: Harness;
    beforeAll(async () => {
      harness = await createHarness({ database: 'pglite' });
      await harness.startWorker();
    });
    afterAll(() => harness?.close());

    it('reports each dependency ok (the model provider: not configured yet) and answers 200', async () => {
      const health = await apiRequest(harness, 'GET', '/api/health');
      expect(health.status).toBe(200);
      expect(health.body.status === 'ok' ? 'ok' : JSON.stringify(health.body)).toBe('ok'); // a failure names the check and its reason
      expect(Object.keys(health.body.checks)).toEqual(CHECKS);
      const { checks } = health.body;
      for (const name of ['temporal', 'database', 'vectorStore', 'repositoryHost']) {
        expect(checks[name]).toMatchObject({ status: 'ok' });
        expect(checks[name].durationMs).toBeLessThan(2_000);
      }
      expect(checks.temporal.reason).toContain(`1 worker polling ${harness.config.temporal.taskQueues.io}`);
      expect(checks.database.reason).toBe('PGlite takes writes');
      expect(checks.vectorStore.reason).toBe(`Chroma at ${process.env.TESTLOOM_TEST_CHROMA_URL}`);
      expect(checks.repositoryHost.reason).toContain(`local git host in ${harness.config.repos.root}`);
      expect(checks.modelProvider).toMatchObject({ status: 'not configured', reason: expect.stringContaining('no model provider is configured') });
    });
  });

  describe('with Ollama as the model provider', () => {
    let harness: Harness;
    let ollama: FakeOllama;
    beforeAll(async () => {
      ollama = await startFakeOllama({ models: ['llama3.1:8b'] });
      harness = await createHarness({ database: 'pglite', chromaUrl: 'off', env: { TESTLOOM_LLM_PROVIDERS: 'ollama,llama-cpp', TESTLOOM_LLAMA_MODEL_PATH: '/nonexistent.gguf', OLLAMA_HOST: ollama.url } });
    });
    afterAll(async () => {
      await harness?.close();
      await ollama?.close();
    });

    it('says whether the configured model is pulled, and degrades (never fails) without it', async () => {
      const check = async (model: string) => {
        harness.config.llm.models['issue-test-cases'] = model;
        return (await apiRequest(harness, 'GET', '/api/health')).body.checks.modelProvider;
      };
      expect(await check('llama3.1:8b')).toMatchObject({ status: 'ok', reason: `Ollama at ${ollama.url} has llama3.1:8b (then llama-cpp)` });
      expect(await check('qwen2.5-coder:7b')).toMatchObject({ status: 'degraded', reason: expect.stringContaining('has no model qwen2.5-coder:7b (ollama pull qwen2.5-coder:7b)') });
      await ollama.close();
      const down = await apiRequest(harness, 'GET', '/api/health');
      expect(down.body.checks.modelProvider).toMatchObject({ status: 'degraded', reason: expect.stringMatching(/^model provider ollama unavailable: .*ECONNREFUSED.*issue runs fail$/) });
      expect(down.status).not.toBe(503);
    });
  });

  describe('with Chroma unreachable and no worker', () => {
    let harness: Harness;
    beforeAll(async () => {
      // A port nothing listens on.
      harness = await createHarness({ database: 'pglite', chromaUrl: `http://127.0.0.1:${await freePort()}` });
    });
    afterAll(() => harness?.close());

    it('reports the vector store down with the reason, Temporal degraded, and answers 503', async () => {
      const health = await apiRequest(harness, 'GET', '/api/health');
      expect(health.status).toBe(503);
      expect(health.body.status).toBe('down');
      const { checks } = health.body;
      expect(checks.vectorStore).toMatchObject({ status: 'down', reason: expect.stringContaining(`Chroma at ${harness.config.retrieval.chroma.url} does not answer`) });
      expect(checks.temporal).toMatchObject({ status: 'degraded', reason: expect.stringContaining('no worker has polled task queue') });
      expect(checks.database.status).toBe('ok');
      expect(checks.repositoryHost.status).toBe('ok');
    });
  });

  describe('with retrieval switched off', () => {
    let harness: Harness;
    beforeAll(async () => {
      harness = await createHarness({ database: 'pglite', chromaUrl: 'off' });
      await harness.startWorker();
    });
    afterAll(() => harness?.close());

    it('reports the vector store as not configured, which is not a failure', async () => {
      const health = await apiRequest(harness, 'GET', '/api/health');
      expect(health.status).toBe(200);
      expect(health.body.status === 'ok' ? 'ok' : JSON.stringify(health.body)).toBe('ok'); // a failure names the check and its reason
      expect(health.body.checks.vectorStore).toMatchObject({ status: 'not configured', reason: expect.stringContaining('TESTLOOM_RETRIEVAL=off') });
    });
  });

  describe('with a PGlite data directory that turned read-only', () => {
    let harness: Harness;
    let pgliteDir: string;
    let locked = false;
    beforeAll(async () => {
      // On disk: a tmpfs takes the immutable attribute but does not refuse writes through open files.
      harness = await createHarness({ database: 'pglite', chromaUrl: 'off', tmpdir: diskTmpdir() });
      pgliteDir = path.join(harness.dataDir, 'pglite');
    });
    afterAll(async () => {
      if (locked) execFileSync('chattr', ['-R', '-i', pgliteDir]);
      await harness?.close();
    });

    // The immutable attribute refuses writes even to root (who ignores permission bits) and even
    // through the files PGlite already holds open. It needs root, as the test machines run.
    it('reports the database down once a write fails, answers 503 and stays responsive', async () => {
      const before = await apiRequest(harness, 'GET', '/api/health');
      expect(before.body.checks.database).toMatchObject({ status: 'ok', reason: 'PGlite takes writes' });
      // Reads still work from memory after this; only writes fail.
      execFileSync('chattr', ['-R', '+i', pgliteDir]);
      locked = true;

      const failed = await apiRequest(harness, 'GET', '/api/health');
      expect(failed.status).toBe(503);
      expect(failed.body.status).toBe('down');
      expect(failed.body.checks.database).toMatchObject({ status: 'down', reason: expect.stringMatching(/could not write .*Operation not permitted/) });
      expect(failed.body.checks.repositoryHost.status).toBe('ok');

      // PGlite cannot go on after that failure; the process still answers, and says why.
      const after = await apiRequest(harness, 'GET', '/api/health');
      expect(after.status).toBe(503);
      expect(after.body.checks.database).toMatchObject({ status: 'down', reason: expect.stringMatching(/^the embedded database \(PGlite\) stopped: could not write /) });
      expect(after.body.checks.database.reason).toContain(`Restart testloom (once ${pgliteDir} is writable, if a write failed)`);
      expect(after.body.checks.database.durationMs).toBeLessThan(1_000);
      expect((await apiRequest(harness, 'GET', '/api/openapi.json')).status).toBe(200);
    });
  });

  describe('with a Postgres database that refuses writes', () => {
    let harness: Harness;
    let admin: Client;
    let name: string;
    beforeAll(async () => {
      harness = await createHarness({ database: 'postgres', chromaUrl: 'off' });
      name = new URL(harness.env.DATABASE_URL).pathname.slice(1);
      admin = new Client({ connectionString: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
      await admin.connect();
    });
    afterAll(async () => {
      await admin?.end();
      await harness?.close();
    });

    /** New sessions of the database start read-only (as on a standby); the API's pool reconnects. */
    async function setReadOnly(on: boolean) {
      await admin.query(`alter database ${name} ${on ? 'set default_transaction_read_only = on' : 'reset default_transaction_read_only'}`);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
    }

    async function databaseCheck(until: (check: { status: string; reason: string }) => boolean) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const health = await apiRequest(harness, 'GET', '/api/health');
        // The first query after the sessions were ended may meet one of them.
        if (until(health.body.checks.database) || Date.now() > deadline) return health;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    it('reports the database down with its reason while reads still answer, and ok again once it takes writes', async () => {
      expect((await apiRequest(harness, 'GET', '/api/health')).body.checks.database).toMatchObject({ status: 'ok', reason: 'Postgres takes writes' });
      await setReadOnly(true);
      const down = await databaseCheck((check) => /read-only/.test(check.reason));
      expect(down.status).toBe(503);
      expect(down.body.checks.database).toMatchObject({ status: 'down', reason: 'cannot execute INSERT in a read-only transaction' });
      // What `select 1` saw: reads answer, so the old check said ok.
      expect((await apiRequest(harness, 'GET', '/api/v1/runs')).status).toBe(200);

      await setReadOnly(false);
      const up = await databaseCheck((check) => check.status === 'ok');
      expect(up.body.checks.database).toMatchObject({ status: 'ok', reason: 'Postgres takes writes' });
    });
  });
});
