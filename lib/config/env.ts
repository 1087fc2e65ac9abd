import path from 'node:path';
import { DEFAULT_EXECUTION_HOSTS } from '../core/target-policy';
import { DEFAULT_GENERATION_LIMITS } from '../core/limits';
import { isRepositoryName } from '../core/repository';
import { DEFAULT_FRAMEWORK, FRAMEWORKS, isFrameworkName, type FrameworkName } from '../core/frameworks';
import { ConfigError } from './errors';

/** The sentence-embedding model retrieval uses unless TESTLOOM_EMBEDDING_MODEL names another. */
export const DEFAULT_EMBEDDING_MODEL = 'Xenova/all-MiniLM-L6-v2';

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

const wholeNumber: Parser<number> = (raw, name) => {
  if (!/^[0-9]+$/.test(raw)) throw new ConfigError(`${name}=${raw}: must be a whole number (0 or more)`);
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

/** pino's levels; here because the logger reads its level through these settings. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

const logLevel: Parser<LogLevelName> = (raw, name) => {
  const level = LOG_LEVELS.find((known) => known === raw);
  if (!level) throw new ConfigError(`${name}=${raw}: must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
};

const repository: Parser<string> = (raw, name) => {
  if (!isRepositoryName(raw)) {
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

const repoHostKind: Parser<'local' | 'github'> = (raw, name) => {
  if (raw !== 'local' && raw !== 'github') throw new ConfigError(`${name}=${raw}: must be local or github`);
  return raw;
};

const numericId: Parser<string> = (raw, name) => {
  if (!/^[0-9]+$/.test(raw)) throw new ConfigError(`${name}=${raw}: must be a number (as shown in the GitHub App's settings)`);
  return raw;
};

const PROVIDERS = ['ollama', 'openai', 'llama-cpp'] as const;
export type ProviderKind = (typeof PROVIDERS)[number];

/** The model providers in fallback order; `none` switches models off. */
const providerList: Parser<ProviderKind[]> = (raw, name) => {
  const items = list(raw, name);
  if (items.length === 1 && items[0] === 'none') return [];
  const bad = items.filter((item) => !(PROVIDERS as readonly string[]).includes(item));
  const repeated = items.filter((item, i) => items.indexOf(item) !== i);
  if (!items.length || bad.length || repeated.length) {
    throw new ConfigError(`${name}=${raw}: must be none or a comma-separated list (fallback order, no repeats) of ${PROVIDERS.join(', ')}`);
  }
  return items as ProviderKind[];
};

const duration: Parser<number> = (raw, name) => {
  const match = /^([0-9]+)(ms|s|m|h|d)$/.exec(raw);
  if (!match || Number(match[1]) < 1) throw new ConfigError(`${name}=${raw}: must be a duration such as 30s, 15m, 24h or 7d`);
  return Number(match[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms'];
};

/** Milliseconds: a whole number (taken as ms) or a duration such as 500ms, 5s, 2m. */
const millis: Parser<number> = (raw, name) => {
  if (/^[0-9]+$/.test(raw) && Number(raw) >= 1) return Number(raw);
  const match = /^([0-9]+)(ms|s|m|h)$/.exec(raw);
  if (!match || Number(match[1]) < 1) throw new ConfigError(`${name}=${raw}: must be milliseconds or a duration such as 500ms, 5s or 2m`);
  return Number(match[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 'ms'];
};

function setting<T>(name: string, description: string, parse: Parser<T>, fallback: () => T): Setting<T> {
  return { name, description, parse, fallback };
}

const dataDirFallback = () => path.join(PROJECT_ROOT, '.data');

/** Every environment variable testloom reads. README's configuration table mirrors this list. */
export const ENV_SETTINGS = {
  dataDir: setting('TESTLOOM_DATA_DIR', 'Directory for PGlite, the dev server database and local repositories', text, dataDirFallback),
  databaseUrl: setting<string | undefined>('DATABASE_URL', 'Postgres connection URL; unset means PGlite in the data directory', postgresUrl, () => undefined),
  dbPoolMax: setting<number | undefined>('TESTLOOM_DB_POOL_MAX', 'Most Postgres connections one process opens (default 10)', positiveInt, () => undefined),
  dbConnectionTimeout: setting<number | undefined>('TESTLOOM_DB_CONNECTION_TIMEOUT', 'How long taking a Postgres connection may take (ms, or a duration such as 5s); unset means no limit', millis, () => undefined),
  dbStatementTimeout: setting<number | undefined>('TESTLOOM_DB_STATEMENT_TIMEOUT', 'Postgres cancels a statement running longer than this (ms, or a duration such as 30s); unset means no limit', millis, () => undefined),
  apiHost: setting('TESTLOOM_API_HOST', 'Interface the HTTP API binds to', text, () => '127.0.0.1'),
  apiPort: setting('TESTLOOM_API_PORT', 'Port of the HTTP API', port, () => 3000),
  apiUrl: setting('TESTLOOM_API_URL', 'Where the CLI finds the HTTP API', url, () => 'http://127.0.0.1:3000'),
  maxSpecBytes: setting('TESTLOOM_MAX_SPEC_BYTES', 'Largest accepted spec upload or download, in bytes', positiveInt, () => 5 * 1024 * 1024),
  specRoots: setting<string[]>('TESTLOOM_SPEC_ROOTS', 'Directories a spec.path sent over HTTP may lie under (comma-separated); unset means spec.path is refused (clients upload the content)', list, () => []),
  specUrlHosts: setting<string[]>('TESTLOOM_SPEC_URL_HOSTS', 'Host names spec.url and remote $refs may reach although they resolve to loopback, private, link-local or other non-public addresses (comma-separated); unset means public addresses only', list, () => []),
  temporalConfig: setting('TESTLOOM_TEMPORAL_CONFIG', 'Path of the Temporal settings file', text, () => path.join(PROJECT_ROOT, 'temporal.yaml')),
  temporalAddress: setting<string | undefined>('TEMPORAL_ADDRESS', 'Temporal frontend host:port (overrides temporal.yaml)', address, () => undefined),
  temporalNamespace: setting<string | undefined>('TEMPORAL_NAMESPACE', 'Temporal namespace (overrides temporal.yaml)', text, () => undefined),
  temporalTls: setting('TEMPORAL_TLS', 'Connect to Temporal over TLS (server certificate checked against the system CAs or TEMPORAL_TLS_CA); implied by TEMPORAL_TLS_CERT and TEMPORAL_API_KEY', flag, () => false),
  temporalTlsCert: setting<string | undefined>('TEMPORAL_TLS_CERT', 'Client certificate (PEM file) for mTLS to Temporal; with TEMPORAL_TLS_KEY', text, () => undefined),
  temporalTlsKey: setting<string | undefined>('TEMPORAL_TLS_KEY', 'Private key (PEM file) of the TEMPORAL_TLS_CERT client certificate', text, () => undefined),
  temporalTlsCa: setting<string | undefined>('TEMPORAL_TLS_CA', 'CA certificate (PEM file) the Temporal server\'s certificate is checked against; unset means the system CAs', text, () => undefined),
  temporalTlsServerName: setting<string | undefined>('TEMPORAL_TLS_SERVER_NAME', 'Server name (SNI) expected in the Temporal server\'s certificate, when it differs from the host of TEMPORAL_ADDRESS', text, () => undefined),
  temporalApiKey: setting<string | undefined>('TEMPORAL_API_KEY', 'API key for Temporal Cloud (or a server that takes one); implies TLS', text, () => undefined),
  temporalUiUrl: setting<string | undefined>('TESTLOOM_TEMPORAL_UI_URL', 'Base URL of the Temporal Web UI that links point to (e.g. https://cloud.temporal.io); default: the embedded dev server\'s UI', url, () => undefined),
  temporalCliPath: setting<string | undefined>('TEMPORAL_CLI_PATH', 'Path of the temporal CLI binary used for the embedded dev server', text, () => undefined),
  temporalUiPort: setting<number | undefined>('TEMPORAL_UI_PORT', 'Web UI port of the embedded dev server (default: frontend port + 1000)', port, () => undefined),
  reposDir: setting<string | undefined>('TESTLOOM_REPOS_DIR', 'Where the local git host keeps repositories (default: <data dir>/repos)', text, () => undefined),
  defaultRepository: setting('TESTLOOM_DEFAULT_REPOSITORY', 'Target repository when a request names none', repository, () => 'local/testloom-sandbox'),
  apiKeys: setting<string[]>('TESTLOOM_API_KEYS', 'Bearer keys accepted by /api/v1 (comma-separated); required unless the API binds to loopback only', secretList, () => []),
  apiKey: setting<string | undefined>('TESTLOOM_API_KEY', 'Bearer key the CLI sends to the HTTP API (default: the first of TESTLOOM_API_KEYS)', secret, () => undefined),
  trustProxy: setting<number | string[] | undefined>('TESTLOOM_TRUST_PROXY', 'Reverse proxies whose X-Forwarded-For is believed (hop count or addresses/subnets); unset means none', trustProxy, () => undefined),
  corsOrigins: setting<string[]>('TESTLOOM_CORS_ORIGINS', 'Origins allowed to call the API from a browser (comma-separated); unset means CORS off', list, () => []),
  rateLimitPerMinute: setting('TESTLOOM_RATE_LIMIT_PER_MINUTE', 'Requests per minute allowed per API key and per client IP', positiveInt, () => 300),
  specWebhookSecret: setting<string | undefined>('TESTLOOM_SPEC_WEBHOOK_SECRET', 'Secret API design tools sign "spec changed" deliveries with (POST /api/webhooks/spec-changed); unset means that receiver is off', secret, () => undefined),
  webhookRetentionDays: setting('TESTLOOM_WEBHOOK_RETENTION_DAYS', 'Days a webhook delivery\'s record is kept once handled (what GET /api/v1/webhook-deliveries/:id shows); 0 keeps them all', wholeNumber, () => 30),
  webhookSecret: setting<string | undefined>('GITHUB_WEBHOOK_SECRET', 'Secret GitHub signs webhook deliveries with; unset means the webhook receiver is off', secret, () => undefined),
  repoHost: setting<'local' | 'github' | undefined>('TESTLOOM_REPO_HOST', 'Where runs deliver: local (git repositories in the data directory) or github; default github when a token or app is configured, else local', repoHostKind, () => undefined),
  githubToken: setting<string | undefined>('GITHUB_TOKEN', 'GitHub token (personal access or fine-grained) the GitHub host acts with', text, () => undefined),
  githubAppId: setting<string | undefined>('GITHUB_APP_ID', 'GitHub App id, to act as an app installation instead of with a token', numericId, () => undefined),
  githubAppPrivateKey: setting<string | undefined>('GITHUB_APP_PRIVATE_KEY', 'The GitHub App private key (PEM text)', text, () => undefined),
  githubAppPrivateKeyPath: setting<string | undefined>('GITHUB_APP_PRIVATE_KEY_PATH', 'File holding the GitHub App private key (PEM), instead of GITHUB_APP_PRIVATE_KEY', text, () => undefined),
  githubAppInstallationId: setting<string | undefined>('GITHUB_APP_INSTALLATION_ID', 'Installation of the GitHub App on the target repositories', numericId, () => undefined),
  githubApiUrl: setting('GITHUB_API_URL', 'GitHub REST API base URL (GitHub Enterprise: https://<host>/api/v3)', url, () => 'https://api.github.com'),
  triggerLabel: setting('TESTLOOM_TRIGGER_LABEL', 'Issue label that starts a run', text, () => 'generate-tests'),
  logLevel: setting<LogLevelName>('TESTLOOM_LOG_LEVEL', 'Log level of the JSON logs (pino)', logLevel, () => 'info'),
  retrieval: setting('TESTLOOM_RETRIEVAL', 'Retrieve similar past tests before generating (off: skip the stage)', flag, () => true),
  retrievalTopK: setting('TESTLOOM_RETRIEVAL_TOP_K', 'How many similar test cases retrieve hands to generate', positiveInt, () => 5),
  retrievalMinScore: setting('TESTLOOM_RETRIEVAL_MIN_SCORE', 'Lowest cosine similarity (0-1) a retrieved test case must reach', fraction, () => 0.35),
  chromaUrl: setting<string | undefined>('CHROMA_URL', 'External Chroma server; unset means testloom up starts a local one with data in the data directory', url, () => undefined),
  chromaPort: setting('TESTLOOM_CHROMA_PORT', 'Port of the local Chroma server started by testloom up', port, () => 8000),
  embeddingModel: setting('TESTLOOM_EMBEDDING_MODEL', 'transformers.js feature-extraction model (384-d sentence embeddings)', text, () => DEFAULT_EMBEDDING_MODEL),
  modelDir: setting('TESTLOOM_MODEL_DIR', 'Folder of local model files, checked first and used as the download cache', text, () => path.join(PROJECT_ROOT, '.models')),
  modelHub: setting<string | undefined>('HF_ENDPOINT', 'Hugging Face hub (or mirror) models are downloaded from; default https://huggingface.co', url, () => undefined),
  modelsOffline: setting('TESTLOOM_MODELS_OFFLINE', 'Never download models (also implied by HF_HUB_OFFLINE=1)', flag, () => false),
  testFramework: setting<FrameworkName>('TESTLOOM_TEST_FRAMEWORK', `Framework of generated spec suites when a request names none: ${FRAMEWORKS.join(' or ')}`, (raw, name) => {
    if (!isFrameworkName(raw)) throw new ConfigError(`${name}=${raw}: must be ${FRAMEWORKS.join(' or ')}`);
    return raw;
  }, () => DEFAULT_FRAMEWORK),
  ciWorkflow: setting('TESTLOOM_CI_WORKFLOW', 'Spec runs add .github/workflows/testloom.yml, which runs the delivered suites in the repository\'s own CI (off: they do not)', flag, () => true),
  maxOperations: setting('TESTLOOM_MAX_OPERATIONS', 'Most operations one spec run generates tests for; a larger spec fails its run at receive, naming the count', positiveInt, () => DEFAULT_GENERATION_LIMITS.maxOperations),
  maxCases: setting('TESTLOOM_MAX_CASES', 'Most test cases one run may generate; more fails the run at generate, naming the count', positiveInt, () => DEFAULT_GENERATION_LIMITS.maxCases),
  issueSpecPaths: setting<string[]>('TESTLOOM_ISSUE_SPEC_PATHS', 'Where an issue run looks for the repository\'s OpenAPI spec (first found wins), comma-separated', list, () => ['openapi.yaml', 'openapi.yml', 'openapi.json', 'swagger.yaml', 'swagger.json', 'api/openapi.yaml', 'docs/openapi.yaml']),
  llmProviders: setting<ProviderKind[]>('TESTLOOM_LLM_PROVIDERS', 'Model providers in fallback order (ollama, openai, llama-cpp), or none', providerList, () => ['ollama']),
  ollamaHost: setting('OLLAMA_HOST', 'Ollama server the ollama provider talks to', url, () => 'http://127.0.0.1:11434'),
  openaiBaseUrl: setting<string | undefined>('TESTLOOM_OPENAI_BASE_URL', 'Base URL of an OpenAI-compatible API (vLLM, llama.cpp server, LM Studio, a hosted API), e.g. http://127.0.0.1:8000/v1', url, () => undefined),
  openaiApiKey: setting<string | undefined>('TESTLOOM_OPENAI_API_KEY', 'Bearer key for the OpenAI-compatible API', text, () => undefined),
  llamaModelPath: setting<string | undefined>('TESTLOOM_LLAMA_MODEL_PATH', 'GGUF file the in-process llama.cpp provider loads', text, () => undefined),
  model: setting('TESTLOOM_MODEL', 'Model for every generation task unless a task names its own', text, () => 'llama3.1:8b'),
  modelIssueCases: setting<string | undefined>('TESTLOOM_MODEL_ISSUE_CASES', 'Model that writes test-case documents from issues', text, () => undefined),
  modelScenarios: setting<string | undefined>('TESTLOOM_MODEL_SCENARIOS', 'Model that writes scenario tests for specs', text, () => undefined),
  modelRepair: setting<string | undefined>('TESTLOOM_MODEL_REPAIR', 'Model that repairs generated files a quality gate rejected', text, () => undefined),
  modelHeal: setting<string | undefined>('TESTLOOM_MODEL_HEAL', 'Model that repairs generated tests which failed against the API through their own fault (default: the repair model)', text, () => undefined),
  modelCache: setting('TESTLOOM_MODEL_CACHE', 'Answer repeated identical model requests from the response cache', flag, () => true),
  runTokenBudget: setting<number | undefined>('TESTLOOM_RUN_TOKEN_BUDGET', 'Tokens (in + out) one run may spend on model calls; unset means no limit', positiveInt, () => undefined),
  repositoryTokenBudget: setting<number | undefined>('TESTLOOM_REPOSITORY_TOKEN_BUDGET', 'Tokens one repository may spend per budget window; unset means no limit', positiveInt, () => undefined),
  repositoryBudgetWindow: setting('TESTLOOM_REPOSITORY_BUDGET_WINDOW', 'Window of the repository token budget', duration, () => 86_400_000),
  executionHosts: setting<string[]>('TESTLOOM_EXECUTION_HOSTS', 'Hosts generated suites may be run against (comma-separated; *.example.com for subdomains, * for any)', list, () => [...DEFAULT_EXECUTION_HOSTS]),
  targetVariables: setting<string[]>('TESTLOOM_TARGET_VARIABLES', 'Worker environment variables a requested target may reference as ${NAME} (comma-separated names, PREFIX_* for a prefix); testloom\'s own settings and secrets never, even if listed; unset means none', list, () => []),
  executionRuns: setting('TESTLOOM_EXECUTION_RUNS', 'How many times the execute stage runs a suite; a test whose outcome changes is flaky', positiveInt, () => 3),
  executionTimeLimit: setting('TESTLOOM_EXECUTION_TIME_LIMIT', 'Time limit of one run of a suite against the API', duration, () => 10 * 60_000),
  healRounds: setting('TESTLOOM_HEAL_ROUNDS', 'Model repair rounds for tests that fail against the API through their own fault; 0 drops them at once', wholeNumber, () => 2),
  targetsFile: setting<string | undefined>('TESTLOOM_TARGETS_FILE', 'YAML file of the API each repository\'s runs are executed against (see examples/targets.yaml)', text, () => undefined),
  regressionIssues: setting('TESTLOOM_REGRESSION_ISSUES', 'A regression (a test that passed in the last execution of a suite and fails now) also opens a new issue in the run\'s repository (on), besides the comment on the run\'s issue and the API (off)', flag, () => false),
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
