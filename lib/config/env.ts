import path from 'node:path';
import { DEFAULT_EMBEDDING_MODEL } from '../embeddings/model-files';
import { ConfigError } from './errors';

/** Root of the testloom checkout (templates/, temporal.yaml, examples/ live here). */
export const PROJECT_ROOT = path.resolve(__dirname, '../..');

type Parser<T> = (raw: string, name: string) => T;

interface Setting<T> {
  name: string;
  description: string;
  parse: Parser<T>;
  fallback: () => T;
}

const text: Parser<string> = (raw) => raw;

const port: Parser<number> = (raw, name) => {
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || value < 1 || value > 65_535) {
    throw new ConfigError(`${name}=${raw}: must be a port number between 1 and 65535`);
  }
  return value;
};

const positiveInt: Parser<number> = (raw, name) => {
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1) {
    throw new ConfigError(`${name}=${raw}: must be a positive whole number`);
  }
  return Number(raw);
};

const url: Parser<string> = (raw, name) => {
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol)) {
    throw new ConfigError(`${name}=${raw}: must be an absolute URL such as http://127.0.0.1:3000`);
  }
  return raw;
};

const postgresUrl: Parser<string> = (raw, name) => {
  if (!/^postgres(ql)?:\/\//.test(raw)) {
    throw new ConfigError(`${name}: must be a postgres:// or postgresql:// connection URL`);
  }
  try {
    new URL(raw);
  } catch {
    // The URL may hold a password, so it is not repeated in the message.
    throw new ConfigError(`${name}: is not a valid connection URL`);
  }
  return raw;
};

const fraction: Parser<number> = (raw, name) => {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ConfigError(`${name}=${raw}: must be a number between 0 and 1`);
  }
  return value;
};

const flag: Parser<boolean> = (raw, name) => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name}=${raw}: must be one of true, false, 1, 0, on, off`);
};

/** Comma-separated, blanks dropped. */
const list: Parser<string[]> = (raw) => raw.split(',').map((item) => item.trim()).filter(Boolean);

const secretList: Parser<string[]> = (raw, name) => {
  const items = list(raw, name);
  // Never echo the value: it is a secret.
  if (items.some((item) => item.length < 16)) throw new ConfigError(`${name}: every key must be at least 16 characters`);
  return items;
};

const secret: Parser<string> = (raw, name) => {
  if (raw.length < 16) throw new ConfigError(`${name}: must be at least 16 characters`);
  return raw;
};

/** Express `trust proxy`: how many proxies sit in front, or which addresses/subnets to trust. */
const trustProxy: Parser<number | string[]> = (raw, name) => {
  if (/^[0-9]+$/.test(raw)) return positiveInt(raw, name);
  const items = list(raw, name);
  const named = ['loopback', 'linklocal', 'uniquelocal'];
  const address = /^(\d{1,3}(\.\d{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(\/\d{1,3})?$/;
  const bad = items.filter((item) => !named.includes(item) && !address.test(item));
  if (!items.length || bad.length) {
    throw new ConfigError(`${name}=${raw}: must be a number of proxy hops or a comma-separated list of addresses, subnets (CIDR) or ${named.join(', ')}`);
  }
  return items;
};

const logLevel: Parser<string> = (raw, name) => {
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(raw)) {
    throw new ConfigError(`${name}=${raw}: must be one of fatal, error, warn, info, debug, trace, silent`);
  }
  return raw;
};

const repository: Parser<string> = (raw, name) => {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(raw)) {
    throw new ConfigError(`${name}=${raw}: must be a repository name of the form owner/name`);
  }
  return raw;
};

const address: Parser<string> = (raw, name) => {
  if (!/^[^\s:]+:[0-9]{1,5}$/.test(raw)) {
    throw new ConfigError(`${name}=${raw}: must be host:port, e.g. 127.0.0.1:7233`);
  }
  return raw;
};

function setting<T>(name: string, description: string, parse: Parser<T>, fallback: () => T): Setting<T> {
  return { name, description, parse, fallback };
}

const dataDirFallback = () => path.join(PROJECT_ROOT, '.data');

/** Every environment variable testloom reads. README's configuration table mirrors this list. */
export const ENV_SETTINGS = {
  dataDir: setting('TESTLOOM_DATA_DIR', 'Directory for PGlite, the dev server database and local repositories', text, dataDirFallback),
  databaseUrl: setting<string | undefined>('DATABASE_URL', 'Postgres connection URL; unset means PGlite in the data directory', postgresUrl, () => undefined),
  apiHost: setting('TESTLOOM_API_HOST', 'Interface the HTTP API binds to', text, () => '127.0.0.1'),
  apiPort: setting('TESTLOOM_API_PORT', 'Port of the HTTP API', port, () => 3000),
  apiUrl: setting('TESTLOOM_API_URL', 'Where the CLI finds the HTTP API', url, () => 'http://127.0.0.1:3000'),
  maxSpecBytes: setting('TESTLOOM_MAX_SPEC_BYTES', 'Largest accepted spec upload or download, in bytes', positiveInt, () => 5 * 1024 * 1024),
  temporalConfig: setting('TESTLOOM_TEMPORAL_CONFIG', 'Path of the Temporal settings file', text, () => path.join(PROJECT_ROOT, 'temporal.yaml')),
  temporalAddress: setting<string | undefined>('TEMPORAL_ADDRESS', 'Temporal frontend host:port (overrides temporal.yaml)', address, () => undefined),
  temporalNamespace: setting<string | undefined>('TEMPORAL_NAMESPACE', 'Temporal namespace (overrides temporal.yaml)', text, () => undefined),
  temporalCliPath: setting<string | undefined>('TEMPORAL_CLI_PATH', 'Path of the temporal CLI binary used for the embedded dev server', text, () => undefined),
  temporalUiPort: setting<number | undefined>('TEMPORAL_UI_PORT', 'Web UI port of the embedded dev server (default: frontend port + 1000)', port, () => undefined),
  reposDir: setting<string | undefined>('TESTLOOM_REPOS_DIR', 'Where the local git host keeps repositories (default: <data dir>/repos)', text, () => undefined),
  defaultRepository: setting('TESTLOOM_DEFAULT_REPOSITORY', 'Target repository when a request names none', repository, () => 'local/testloom-sandbox'),
  apiKeys: setting<string[]>('TESTLOOM_API_KEYS', 'Bearer keys accepted by /api/v1 (comma-separated); required unless the API binds to loopback only', secretList, () => []),
  apiKey: setting<string | undefined>('TESTLOOM_API_KEY', 'Bearer key the CLI sends to the HTTP API (default: the first of TESTLOOM_API_KEYS)', secret, () => undefined),
  trustProxy: setting<number | string[] | undefined>('TESTLOOM_TRUST_PROXY', 'Reverse proxies whose X-Forwarded-For is believed (hop count or addresses/subnets); unset means none', trustProxy, () => undefined),
  corsOrigins: setting<string[]>('TESTLOOM_CORS_ORIGINS', 'Origins allowed to call the API from a browser (comma-separated); unset means CORS off', list, () => []),
  rateLimitPerMinute: setting('TESTLOOM_RATE_LIMIT_PER_MINUTE', 'Requests per minute allowed per API key and per client IP', positiveInt, () => 300),
  webhookSecret: setting<string | undefined>('GITHUB_WEBHOOK_SECRET', 'Secret GitHub signs webhook deliveries with; unset means the webhook receiver is off', secret, () => undefined),
  triggerLabel: setting('TESTLOOM_TRIGGER_LABEL', 'Issue label that starts a run', text, () => 'generate-tests'),
  logLevel: setting('TESTLOOM_LOG_LEVEL', 'Log level of the JSON logs (pino)', logLevel, () => 'info'),
  retrieval: setting('TESTLOOM_RETRIEVAL', 'Retrieve similar past tests before generating (off: skip the stage)', flag, () => true),
  retrievalTopK: setting('TESTLOOM_RETRIEVAL_TOP_K', 'How many similar test cases retrieve hands to generate', positiveInt, () => 5),
  retrievalMinScore: setting('TESTLOOM_RETRIEVAL_MIN_SCORE', 'Lowest cosine similarity (0-1) a retrieved test case must reach', fraction, () => 0.35),
  chromaUrl: setting<string | undefined>('CHROMA_URL', 'External Chroma server; unset means testloom up starts a local one with data in the data directory', url, () => undefined),
  chromaPort: setting('TESTLOOM_CHROMA_PORT', 'Port of the local Chroma server started by testloom up', port, () => 8000),
  embeddingModel: setting('TESTLOOM_EMBEDDING_MODEL', 'transformers.js feature-extraction model (384-d sentence embeddings)', text, () => DEFAULT_EMBEDDING_MODEL),
  modelDir: setting('TESTLOOM_MODEL_DIR', 'Folder of local model files, checked first and used as the download cache', text, () => path.join(PROJECT_ROOT, '.models')),
  modelHub: setting<string | undefined>('HF_ENDPOINT', 'Hugging Face hub (or mirror) models are downloaded from; default https://huggingface.co', url, () => undefined),
  modelsOffline: setting('TESTLOOM_MODELS_OFFLINE', 'Never download models (also implied by HF_HUB_OFFLINE=1)', flag, () => false),
} as const;

type Settings = typeof ENV_SETTINGS;
export type EnvValues = { [K in keyof Settings]: ReturnType<Settings[K]['fallback']> };

/** Reads and validates every setting; all problems are reported together. */
export function readEnv(env: NodeJS.ProcessEnv): EnvValues {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(ENV_SETTINGS) as [string, Setting<unknown>][]) {
    const raw = env[s.name];
    try {
      values[key] = raw === undefined || raw === '' ? s.fallback() : s.parse(raw, s.name);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length) throw new ConfigError(`invalid environment:\n  - ${problems.join('\n  - ')}`);
  return values as EnvValues;
}
