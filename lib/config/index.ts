import path from 'node:path';
import { readEnv, type LogLevelName, type ProviderKind } from './env';
import { ConfigError } from './errors';
import { githubSettings, type GitHubSettings } from './github';
import { loadTemporalConfig, type TemporalSettings } from './temporal-config';
import { temporalConnectionSettings, type TemporalConnectionSettings } from './temporal-connection';
import { loadTargetsFile } from './targets';
import type { TargetConfig } from '../core/target';
import type { GenerationLimits } from '../core/limits';
import type { FrameworkName } from '../core/frameworks';

export { ConfigError } from './errors';
export { PROJECT_ROOT, ENV_SETTINGS } from './env';
export type { ProviderKind } from './env';
export type { GitHubAuth, GitHubSettings } from './github';
export type { StageSettings, StageSettingsMap, TemporalSettings } from './temporal-config';
export type { TemporalConnectionSettings } from './temporal-connection';

export interface Config {
  dataDir: string;
  databaseUrl?: string;
  /** Postgres pool size and timeouts (TESTLOOM_DB_*); unset fields: pg's defaults. */
  databasePool: { max?: number; connectionTimeoutMs?: number; statementTimeoutMs?: number };
  api: {
    host: string;
    port: number;
    url: string;
    maxSpecBytes: number;
    /** TESTLOOM_SPEC_ROOTS, absolute: where a spec.path may lie; empty: spec.path is refused. */
    specRoots: string[];
    /** TESTLOOM_SPEC_URL_HOSTS, lower case: hosts spec.url may reach although they are not public. */
    specUrlHosts: string[];
    /** Empty: no key is needed, which is only allowed when the API listens on loopback. */
    apiKeys: string[];
    /** The key the CLI sends (TESTLOOM_API_KEY). */
    apiKey?: string;
    /** Secret API design tools sign `spec changed` deliveries with; unset: that receiver is off. */
    specWebhookSecret?: string;
    /** Express `trust proxy`; unset: X-Forwarded-For is ignored and the socket address is the client. */
    trustProxy?: number | string[];
    corsOrigins: string[];
    rateLimitPerMinute: number;
  };
  github: GitHubSettings;
  logLevel: LogLevelName;
  /** `connection`: TLS and API key (lib/temporal/connection.ts); `uiUrl`: TESTLOOM_TEMPORAL_UI_URL, the Web UI links point to. */
  temporal: TemporalSettings & { cliPath?: string; uiPort: number; uiUrl?: string; connection: TemporalConnectionSettings };
  /** `host`: where runs deliver (TESTLOOM_REPO_HOST). */
  repos: { root: string; defaultRepository: string; host: 'local' | 'github' };
  retrieval: RetrievalSettings;
  llm: LlmSettings;
  generation: {
    framework: FrameworkName;
    /** Where an issue run looks for the target repository's OpenAPI spec. */
    issueSpecPaths: string[];
    limits: GenerationLimits;
    /** Spec runs deliver `.github/workflows/testloom.yml` with their suite. */
    ciWorkflow: boolean;
  };
  execution: ExecutionSettings;
}

export interface ExecutionSettings {
  /** The operator's allow-list of hosts suites may run against. */
  hosts: string[];
  /** Worker variables a requested target may reference (TESTLOOM_TARGET_VARIABLES). */
  variables: string[];
  runs: number;
  timeLimitMs: number;
  healRounds: number;
  /** The configured target of each repository (TESTLOOM_TARGETS_FILE), used when a request names none. */
  targets: Record<string, TargetConfig>;
  /** TESTLOOM_REGRESSION_ISSUES: a regression also opens an issue in the run's repository. */
  regressionIssues: boolean;
}

/** The generation tasks that call a model, each with its configured model. */
export type ModelTask = 'issue-test-cases' | 'scenario-tests' | 'repair' | 'heal';

export interface LlmSettings {
  /** Fallback order; empty: no model, spec runs deliver the deterministic suite, issue runs fail. */
  providers: ProviderKind[];
  ollamaHost: string;
  openai?: { baseUrl: string; apiKey?: string };
  llamaModelPath?: string;
  models: Record<ModelTask, string>;
  cache: boolean;
  runTokenBudget?: number;
  repositoryTokenBudget?: number;
  repositoryBudgetWindowMs: number;
}

/** The sentence-embedding model retrieval loads in-process. */
export interface EmbeddingSettings {
  modelId: string;
  /** Local model folder checked first, and where hub downloads are cached. */
  modelDir: string;
  /** Never contact the hub: the files must already be in modelDir. */
  offline: boolean;
  /** Hub or mirror to download from (HF_ENDPOINT); transformers.js's default is huggingface.co. */
  hubUrl?: string;
  batchSize: number;
}

export interface RetrievalSettings {
  enabled: boolean;
  topK: number;
  minScore: number;
  embedding: EmbeddingSettings;
  /** `embedded`: testloom up runs a local Chroma server on `url` with data in `dataDir`. */
  chroma: { url: string; embedded: boolean; dataDir: string };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Loads and validates all configuration; throws ConfigError naming the bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const values = readEnv(env);
  if (!isLoopback(values.apiHost) && values.apiKeys.length === 0) {
    throw new ConfigError(`TESTLOOM_API_HOST=${values.apiHost} is reachable from other machines: set TESTLOOM_API_KEYS (keys of at least 16 characters)`);
  }
  if (values.llmProviders.includes('openai') && !values.openaiBaseUrl) {
    throw new ConfigError('TESTLOOM_LLM_PROVIDERS lists openai: set TESTLOOM_OPENAI_BASE_URL to the API\'s base URL (e.g. http://127.0.0.1:8000/v1)');
  }
  if (values.llmProviders.includes('llama-cpp') && !values.llamaModelPath) {
    throw new ConfigError('TESTLOOM_LLM_PROVIDERS lists llama-cpp: set TESTLOOM_LLAMA_MODEL_PATH to a GGUF model file');
  }
  const temporal = loadTemporalConfig(values.temporalConfig);
  const address = values.temporalAddress ?? temporal.address;
  const frontendPort = Number(address.split(':').pop());
  const dataDir = path.resolve(values.dataDir);
  const { github, repoHost } = githubSettings(values);
  return {
    dataDir,
    databaseUrl: values.databaseUrl,
    databasePool: { max: values.dbPoolMax, connectionTimeoutMs: values.dbConnectionTimeout, statementTimeoutMs: values.dbStatementTimeout },
    api: {
      host: values.apiHost,
      port: values.apiPort,
      url: values.apiUrl,
      maxSpecBytes: values.maxSpecBytes,
      specRoots: values.specRoots.map((dir) => path.resolve(dir)),
      specUrlHosts: values.specUrlHosts.map((host) => host.toLowerCase()),
      apiKeys: values.apiKeys,
      apiKey: values.apiKey,
      specWebhookSecret: values.specWebhookSecret,
      trustProxy: values.trustProxy,
      corsOrigins: values.corsOrigins,
      rateLimitPerMinute: values.rateLimitPerMinute,
    },
    github,
    logLevel: values.logLevel,
    temporal: {
      ...temporal,
      address,
      namespace: values.temporalNamespace ?? temporal.namespace,
      cliPath: values.temporalCliPath,
      uiPort: values.temporalUiPort ?? frontendPort + 1000,
      ...(values.temporalUiUrl ? { uiUrl: values.temporalUiUrl.replace(/\/+$/, '') } : {}),
      connection: temporalConnectionSettings(values),
    },
    repos: {
      root: path.resolve(values.reposDir ?? path.join(dataDir, 'repos')),
      defaultRepository: values.defaultRepository,
      host: repoHost,
    },
    retrieval: {
      enabled: values.retrieval,
      topK: values.retrievalTopK,
      minScore: values.retrievalMinScore,
      embedding: {
        modelId: values.embeddingModel,
        modelDir: path.resolve(values.modelDir),
        offline: values.modelsOffline || env.HF_HUB_OFFLINE === '1',
        ...(values.modelHub ? { hubUrl: values.modelHub } : {}),
        batchSize: 32,
      },
      chroma: {
        url: values.chromaUrl ?? `http://127.0.0.1:${values.chromaPort}`,
        embedded: values.chromaUrl === undefined,
        dataDir: path.join(dataDir, 'chroma'),
      },
    },
    generation: {
      framework: values.testFramework,
      issueSpecPaths: values.issueSpecPaths,
      limits: { maxOperations: values.maxOperations, maxCases: values.maxCases },
      ciWorkflow: values.ciWorkflow,
    },
    execution: {
      hosts: values.executionHosts,
      variables: values.targetVariables,
      runs: values.executionRuns,
      timeLimitMs: values.executionTimeLimit,
      healRounds: values.healRounds,
      targets: values.targetsFile ? loadTargetsFile(path.resolve(values.targetsFile), { hosts: values.executionHosts }) : {},
      regressionIssues: values.regressionIssues,
    },
    llm: {
      providers: values.llmProviders,
      ollamaHost: values.ollamaHost,
      ...(values.openaiBaseUrl ? { openai: { baseUrl: values.openaiBaseUrl, apiKey: values.openaiApiKey } } : {}),
      ...(values.llamaModelPath ? { llamaModelPath: path.resolve(values.llamaModelPath) } : {}),
      models: {
        'issue-test-cases': values.modelIssueCases ?? values.model,
        'scenario-tests': values.modelScenarios ?? values.model,
        repair: values.modelRepair ?? values.model,
        heal: values.modelHeal ?? values.modelRepair ?? values.model,
      },
      cache: values.modelCache,
      runTokenBudget: values.runTokenBudget,
      repositoryTokenBudget: values.repositoryTokenBudget,
      repositoryBudgetWindowMs: values.repositoryBudgetWindow,
    },
  };
}
