import fs from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import YAML from 'yaml';
import { STAGES, type StageName } from '../core/run';
import type { RetrySettings, StageSettings, StageSettingsMap } from '../core/stage-settings';

export type { RetrySettings, StageSettings, StageSettingsMap } from '../core/stage-settings';
import { cachedValidator } from '../json-schema/cached-validator';
import { DURATION_PATTERN } from './duration';
import { ConfigError } from './errors';

export interface TemporalSettings {
  address: string;
  namespace: string;
  /** `execute`: the suites run against APIs (absent in older temporal.yaml files: `<io>-execute`). */
  taskQueues: { io: string; llm: string; execute: string };
  worker: {
    maxConcurrentActivityTaskExecutions: number;
    maxConcurrentWorkflowTaskExecutions: number;
    llmMaxConcurrentActivityTaskExecutions: number;
    executeMaxConcurrentActivityTaskExecutions: number;
  };
  searchAttributes: Record<string, 'Keyword'>;
  stages: StageSettingsMap;
}

const duration = { type: 'string', pattern: DURATION_PATTERN };
const retry = {
  type: 'object',
  additionalProperties: false,
  properties: {
    initialInterval: duration,
    backoffCoefficient: { type: 'number', minimum: 1 },
    maximumInterval: duration,
    maximumAttempts: { type: 'integer', minimum: 1 },
  },
};
const stage = {
  type: 'object',
  additionalProperties: false,
  properties: { startToCloseTimeout: duration, heartbeatTimeout: duration, retry },
};
const positiveInt = { type: 'integer', minimum: 1 };

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['address', 'namespace', 'taskQueues', 'defaults'],
  properties: {
    address: { type: 'string', pattern: '^[^\\s:]+:[0-9]{1,5}$' },
    namespace: { type: 'string', minLength: 1 },
    taskQueues: {
      type: 'object',
      additionalProperties: false,
      required: ['io', 'llm'],
      properties: { io: { type: 'string', minLength: 1 }, llm: { type: 'string', minLength: 1 }, execute: { type: 'string', minLength: 1 } },
    },
    worker: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxConcurrentActivityTaskExecutions: positiveInt,
        maxConcurrentWorkflowTaskExecutions: positiveInt,
        llmMaxConcurrentActivityTaskExecutions: positiveInt,
        executeMaxConcurrentActivityTaskExecutions: positiveInt,
      },
    },
    searchAttributes: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]*$' },
      additionalProperties: { enum: ['Keyword'] },
    },
    defaults: {
      ...stage,
      required: ['startToCloseTimeout', 'heartbeatTimeout', 'retry'],
      properties: {
        ...stage.properties,
        retry: { ...retry, required: Object.keys(retry.properties) },
      },
    },
    stages: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(STAGES.map((name) => [name, stage])),
    },
  },
} as const;

type StageOverride = Partial<Omit<StageSettings, 'retry'>> & { retry?: Partial<RetrySettings> };

/** temporal.yaml as the schema above admits it. */
interface TemporalFile {
  address: string;
  namespace: string;
  taskQueues: { io: string; llm: string; execute?: string };
  worker?: Partial<TemporalSettings['worker']>;
  searchAttributes?: Record<string, 'Keyword'>;
  defaults: StageSettings;
  stages?: Partial<Record<StageName, StageOverride>>;
}

const validate = cachedValidator<TemporalFile>(schema, 'temporal.yaml', () => new Ajv({ allErrors: true, code: { source: true } }));

function describeError(error: ErrorObject): string {
  const key = error.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(top level)';
  switch (error.keyword) {
    case 'additionalProperties':
      return `${key === '(top level)' ? '' : key + '.'}${error.params.additionalProperty}: unknown setting`;
    case 'pattern':
      return `${key}: must match ${error.params.pattern}` +
        (error.params.pattern === DURATION_PATTERN ? ' (a duration such as 30s, 2m, 500ms)' : '');
    case 'enum':
      return `${key}: must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`;
    default:
      return `${key}: ${error.message}`;
  }
}

/** Parses and validates temporal.yaml text; `source` names the file in error messages. */
export function parseTemporalConfig(text: string, source = 'temporal.yaml'): TemporalSettings {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw new ConfigError(`${source} is not valid YAML: ${(err as Error).message}`);
  }
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).map(describeError);
    throw new ConfigError(`${source} is invalid:\n  - ${problems.join('\n  - ')}`);
  }
  const doc = raw;
  const stages = Object.fromEntries(
    STAGES.map((name) => {
      const own = doc.stages?.[name] ?? {};
      return [name, {
        startToCloseTimeout: own.startToCloseTimeout ?? doc.defaults.startToCloseTimeout,
        heartbeatTimeout: own.heartbeatTimeout ?? doc.defaults.heartbeatTimeout,
        retry: { ...doc.defaults.retry, ...own.retry },
      }];
    }),
  ) as StageSettingsMap;
  return {
    address: doc.address,
    namespace: doc.namespace,
    taskQueues: { ...doc.taskQueues, execute: doc.taskQueues.execute ?? `${doc.taskQueues.io}-execute` },
    worker: {
      maxConcurrentActivityTaskExecutions: doc.worker?.maxConcurrentActivityTaskExecutions ?? 20,
      maxConcurrentWorkflowTaskExecutions: doc.worker?.maxConcurrentWorkflowTaskExecutions ?? 40,
      llmMaxConcurrentActivityTaskExecutions: doc.worker?.llmMaxConcurrentActivityTaskExecutions ?? 2,
      executeMaxConcurrentActivityTaskExecutions: doc.worker?.executeMaxConcurrentActivityTaskExecutions ?? 2,
    },
    searchAttributes: doc.searchAttributes ?? {},
    stages,
  };
}

export function loadTemporalConfig(file: string): TemporalSettings {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read Temporal settings file ${file}: ${(err as Error).message}`);
  }
  return parseTemporalConfig(text, file);
}
