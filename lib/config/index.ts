import path from 'node:path';
import type { EmbeddingSettings } from '../embeddings/embedder';
import { readEnv } from './env';
import { ConfigError } from './errors';
import { loadTemporalConfig, type TemporalSettings } from './temporal-config';

export { ConfigError } from './errors';
export { PROJECT_ROOT, ENV_SETTINGS } from './env';
export type { StageSettings, StageSettingsMap, TemporalSettings } from './temporal-config';

export interface Config {
  dataDir: string;
  databaseUrl?: string;
  api: {
    host: string;
    port: number;
    url: string;
    maxSpecBytes: number;
    /** Empty: no key is needed, which is only allowed when the API listens on loopback. */
    apiKeys: string[];
    /** The key the CLI sends (TESTLOOM_API_KEY). */
    apiKey?: string;
    /** Express `trust proxy`; unset: X-Forwarded-For is ignored and the socket address is the client. */
    trustProxy?: number | string[];
    corsOrigins: string[];
    rateLimitPerMinute: number;
  };
  github: { webhookSecret?: string; triggerLabel: string };
  logLevel: string;
  temporal: TemporalSettings & { cliPath?: string; uiPort: number };
  repos: { root: string; defaultRepository: string };
  retrieval: RetrievalSettings;
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
  const temporal = loadTemporalConfig(values.temporalConfig);
  const address = values.temporalAddress ?? temporal.address;
  const frontendPort = Number(address.split(':').pop());
  const dataDir = path.resolve(values.dataDir);
  return {
    dataDir,
    databaseUrl: values.databaseUrl,
    api: {
      host: values.apiHost,
      port: values.apiPort,
      url: values.apiUrl,
      maxSpecBytes: values.maxSpecBytes,
      apiKeys: values.apiKeys,
      apiKey: values.apiKey,
      trustProxy: values.trustProxy,
      corsOrigins: values.corsOrigins,
      rateLimitPerMinute: values.rateLimitPerMinute,
    },
    github: { webhookSecret: values.webhookSecret, triggerLabel: values.triggerLabel },
    logLevel: values.logLevel,
    temporal: {
      ...temporal,
      address,
      namespace: values.temporalNamespace ?? temporal.namespace,
      cliPath: values.temporalCliPath,
      uiPort: values.temporalUiPort ?? frontendPort + 1000,
    },
    repos: {
      root: path.resolve(values.reposDir ?? path.join(dataDir, 'repos')),
      defaultRepository: values.defaultRepository,
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
  };
}
