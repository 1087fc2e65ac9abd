import { freePort } from '../../lib/net/free-port';
import { apiRequest, createHarness, type Harness } from '../support/harness';
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
      expect(health.body.status).toBe('ok');
      expect(Object.keys(health.body.checks)).toEqual(CHECKS);
      const { checks } = health.body;
      for (const name of ['temporal', 'database', 'vectorStore', 'repositoryHost']) {
        expect(checks[name]).toMatchObject({ status: 'ok' });
        expect(checks[name].durationMs).toBeLessThan(2_000);
      }
      expect(checks.temporal.reason).toContain(`1 worker polling ${harness.config.temporal.taskQueues.io}`);
      expect(checks.database.reason).toBe('PGlite');
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
      expect(health.body.status).toBe('ok');
      expect(health.body.checks.vectorStore).toMatchObject({ status: 'not configured', reason: expect.stringContaining('TESTLOOM_RETRIEVAL=off') });
    });
  });
});
