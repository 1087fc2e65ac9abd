/**
 * `.testloom.yml`: a target repository's own settings (specs, framework, output folder, branch
 * prefix, target, execution thresholds, schedule, labels), read from its default branch. The file is
 * written by whoever can push to the repository, so it is untrusted: its size is bounded, its shape
 * is checked against repository-config.schema.json (README, "Repository configuration"), its target
 * against the operator's policy. A bad file is never an exception: the result lists each problem
 * with the key it concerns (`execution.thresholds.maxFlakyTests`, `specs[0].path`) for a comment.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import YAML, { LineCounter, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { FrameworkName } from '../core/frameworks';
import type { TargetConfig } from '../core/target';
import { InvalidTargetError } from '../core/target';
import { checkTargetRequest } from '../core/target-policy';
import { cachedValidator } from '../json-schema/cached-validator';
import schema from './repository-config.schema.json';

/** Where the file lives in the repository. */
export const REPOSITORY_CONFIG_FILE = '.testloom.yml';
/** Largest accepted file, in bytes (UTF-8). */
export const MAX_REPOSITORY_CONFIG_BYTES = 64 * 1024;
/** Shortest schedule interval: periodic runs load the operator's workers and the target API. */
export const MIN_SCHEDULE_INTERVAL_MS = 15 * 60_000;
/** The key of a problem that concerns the whole file (size, YAML syntax, not a mapping). */
export const FILE_KEY = '(file)';

export interface RepositorySpec {
  /** Relative to the repository root. */
  path: string;
  name?: string;
  framework?: FrameworkName;
}

/** `.testloom.yml` with its defaults applied. Optional keys left unset mean "the operator's setting". */
export interface RepositoryConfig {
  version: 1;
  /** Empty: an issue run looks in the operator's places (TESTLOOM_ISSUE_SPEC_PATHS). */
  specs: RepositorySpec[];
  /** Unset: the operator's TESTLOOM_TEST_FRAMEWORK. */
  framework?: FrameworkName;
  output: { dir: string };
  branchPrefix: string;
  /** Checked against the operator's policy and normalised; unset: the operator's target for the repository. */
  target?: TargetConfig;
  execution: {
    /** Unset: TESTLOOM_EXECUTION_RUNS. */
    runs?: number;
    /** Unset thresholds are not checked. `minStatusCodeCoverage` is a percentage (0-100), as coverage is reported. */
    thresholds: { minStatusCodeCoverage?: number; maxFlakyTests?: number };
  };
  /** Unset: no periodic runs. */
  schedule?: { cron: string } | { interval: string; intervalMs: number };
  labels: {
    /** Unset: TESTLOOM_TRIGGER_LABEL. */
    trigger?: string;
    pullRequest: string[];
  };
  ciWorkflow: boolean;
  pullRequestComments: boolean;
}

export interface ConfigProblem {
  /** Dotted path of the key (`specs[0].path`), or FILE_KEY for the whole file. */
  key: string;
  message: string;
  /** 1-based line of the key in the file, when known. */
  line?: number;
}

export type RepositoryConfigResult = { ok: true; config: RepositoryConfig } | { ok: false; problems: ConfigProblem[] };

export interface RepositoryConfigOptions {
  /**
   * The operator's execution policy (config.execution): allowed hosts (TESTLOOM_EXECUTION_HOSTS) and
   * the variables a target may reference (TESTLOOM_TARGET_VARIABLES). Required, because the file is
   * as untrusted as a request.
   */
  policy: { hosts: string[]; variables: string[] };
}

let compiled: ValidateFunction | undefined;

/** Compiled on first use: a process that never reads a `.testloom.yml` (an API, a CLI command) does not pay for it. */
function validator(): ValidateFunction {
  compiled ??= cachedValidator(schema, '.testloom.yml', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true, useDefaults: true, code: { source: true } });
    ajv.addKeyword({ keyword: 'x-error-message', schemaType: 'string' });
    return ajv;
  });
  return compiled;
}

type Segment = string | number;

function keyOf(path: Segment[]): string {
  return path.reduce<string>((key, segment) => (typeof segment === 'number' ? `${key}[${segment}]` : key ? `${key}.${segment}` : segment), '');
}

/** The line of the key (or sequence item) `path` names, as far as the document has it. */
function lineOf(doc: Document, lines: LineCounter, path: Segment[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
      node = node.items[segment];
      offset = (node as Node).range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

function describe(error: ErrorObject): { path: Segment[]; message: string } | undefined {
  const path: Segment[] = error.instancePath.split('/').filter(Boolean)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^[0-9]+$/.test(part) ? Number(part) : part));
  const parent = error.parentSchema as { properties?: Record<string, unknown>; 'x-error-message'?: string } | undefined;
  switch (error.keyword) {
    case 'additionalProperties': {
      const known = Object.keys(parent?.properties ?? {});
      return { path: [...path, String(error.params.additionalProperty)], message: `unknown key${known.length ? ` (known: ${known.join(', ')})` : ''}` };
    }
    case 'required':
      return { path: [...path, String(error.params.missingProperty)], message: 'is required' };
    case 'propertyNames':
      return undefined; // its inner error, which names the property, says it
    case 'if': case 'anyOf': case 'oneOf':
      return undefined;
  }
  const named = error.propertyName === undefined ? path : [...path, error.propertyName];
  const custom = parent?.['x-error-message'];
  if (custom) return { path: named, message: custom };
  if (error.keyword === 'enum') return { path: named, message: `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}` };
  return { path: named, message: error.message ?? 'is invalid' };
}

/** `30m`, `6h`, `1d` in milliseconds. */
function intervalMs(interval: string): number {
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[interval.slice(-1) as 'm'];
  return Number(interval.slice(0, -1)) * unit;
}

/** Checks that span keys (duplicates, schedule, target policy), on a document the schema accepted. */
function checkMeaning(raw: RepositoryConfig & { schedule?: { cron?: string; interval?: string } }, options: RepositoryConfigOptions) {
  const problems: { path: Segment[]; message: string }[] = [];
  const seen = new Map<string, number>();
  raw.specs.forEach((spec, index) => {
    for (const field of ['path', 'name'] as const) {
      const value = spec[field];
      if (value === undefined) continue;
      const first = seen.get(`${field}:${value}`);
      if (first !== undefined) problems.push({ path: ['specs', index, field], message: `repeats specs[${first}].${field}` });
      else seen.set(`${field}:${value}`, index);
    }
  });
  const { schedule } = raw;
  if (schedule?.cron !== undefined && schedule.interval !== undefined) {
    problems.push({ path: ['schedule'], message: 'give cron or interval, not both' });
  } else if (schedule?.interval !== undefined && intervalMs(schedule.interval) < MIN_SCHEDULE_INTERVAL_MS) {
    problems.push({ path: ['schedule', 'interval'], message: 'must be at least 15m' });
  }
  let target: TargetConfig | undefined;
  if (raw.target) {
    try {
      target = checkTargetRequest(raw.target, options.policy);
    } catch (err) {
      if (!(err instanceof InvalidTargetError)) throw err;
      // InvalidTargetError names fields the way a request spells them: target.env.API_TOKEN.
      for (const detail of err.details) problems.push({ path: detail.field.split('.'), message: detail.message });
    }
  }
  return { problems, target };
}

/** In the order of the file, as a reader fixes them. */
function byLine(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}

function fileProblem(message: string, line?: number): RepositoryConfigResult {
  return { ok: false, problems: [{ key: FILE_KEY, message, ...(line ? { line } : {}) }] };
}

/** Parses and checks `.testloom.yml` text; never throws for anything the text holds. */
export function parseRepositoryConfig(text: string, options: RepositoryConfigOptions): RepositoryConfigResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_REPOSITORY_CONFIG_BYTES) {
    return fileProblem(`is ${bytes} bytes, more than the ${MAX_REPOSITORY_CONFIG_BYTES} allowed`);
  }
  const lines = new LineCounter();
  // prettyErrors off: its excerpt of the offending line could carry a secret into a public comment.
  const doc = YAML.parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    return { ok: false, problems: doc.errors.map((error) => ({ key: FILE_KEY, message: `is not valid YAML: ${error.message}`, line: lines.linePos(error.pos[0]).line })) };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 }) ?? {};
  } catch (err) {
    return fileProblem(`cannot be read: ${(err as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fileProblem('must be a mapping of keys such as specs, framework, target', lineOf(doc, lines, []));
  const locate = ({ path, message }: { path: Segment[]; message: string }): ConfigProblem => {
    const line = lineOf(doc, lines, path);
    return { key: keyOf(path) || FILE_KEY, message, ...(line ? { line } : {}) };
  };
  const validate = validator();
  if (!validate(data)) {
    const problems = (validate.errors ?? []).map(describe).filter((problem) => problem !== undefined).map(locate);
    return { ok: false, problems: byLine(problems.filter((p, i) => problems.findIndex((o) => o.key === p.key && o.message === p.message) === i)) };
  }
  const raw = data as RepositoryConfig & { schedule?: { cron?: string; interval?: string } };
  const { problems, target } = checkMeaning(raw, options);
  if (problems.length) return { ok: false, problems: byLine(problems.map(locate)) };
  const { cron, interval } = raw.schedule ?? {};
  const schedule = cron !== undefined ? { cron: cron.trim() } : interval !== undefined ? { interval, intervalMs: intervalMs(interval) } : undefined;
  const { schedule: _given, ...rest } = raw;
  return { ok: true, config: { ...rest, ...(target ? { target } : {}), ...(schedule ? { schedule } : {}) } };
}

/** The configuration of a repository without `.testloom.yml`. */
export function defaultRepositoryConfig(): RepositoryConfig {
  const result = parseRepositoryConfig('', { policy: { hosts: [], variables: [] } });
  if (!result.ok) throw new Error('the defaults of .testloom.yml do not pass its schema'); // a bug, not a user's mistake
  return result.config;
}

/** What loadRepositoryConfig needs of a repository host (lib/repohost's RepoHost has it). */
export interface RepositoryFileReader {
  readFiles(repository: string, path: string): Promise<{ path: string; content: string }[]>;
}

/**
 * Reads `.testloom.yml` from the repository's default branch: absent means the defaults. Errors of
 * the host itself (network, permissions) are thrown for the caller's retry; the file's own are problems.
 */
export async function loadRepositoryConfig(
  host: RepositoryFileReader,
  repository: string,
  options: RepositoryConfigOptions,
): Promise<RepositoryConfigResult & { found: boolean }> {
  const files = await host.readFiles(repository, REPOSITORY_CONFIG_FILE);
  const file = files.find((entry) => entry.path === REPOSITORY_CONFIG_FILE);
  if (!file) return { ok: true, config: defaultRepositoryConfig(), found: false };
  return { ...parseRepositoryConfig(file.content, options), found: true };
}

const MAX_LISTED = 30;

function codeSpan(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\s+/g, ' ')}\``;
}

/** Markdown with its special characters escaped; `@name` in a code span, where it mentions no one. */
function escapeMarkdown(text: string): string {
  return text.split(/(@[A-Za-z0-9_/-]+)/)
    .map((part, index) => (index % 2 ? codeSpan(part) : part.replace(/[\\`*_[\]<>|~]/g, '\\$&').replace(/\s+/g, ' ')))
    .join('');
}

/** A comment body naming each problem's key (and line), for the issue or pull request whose run read the file. */
export function renderRepositoryConfigProblems(problems: ConfigProblem[], file = REPOSITORY_CONFIG_FILE): string {
  const listed = problems.slice(0, MAX_LISTED).map((problem) => {
    const where = problem.key === FILE_KEY ? 'the file' : codeSpan(problem.key);
    const line = problem.line ? ` (line ${problem.line})` : '';
    return `- ${where}${line}: ${escapeMarkdown(problem.message.slice(0, 500))}`;
  });
  if (problems.length > MAX_LISTED) listed.push(`- … and ${problems.length - MAX_LISTED} more`);
  return [
    `**testloom could not use ${codeSpan(file)}** from the default branch:`,
    '',
    ...listed,
    '',
    'Fix the file on the default branch; the keys and their values are described in testloom\'s README, "Repository configuration (`.testloom.yml`)".',
  ].join('\n');
}
