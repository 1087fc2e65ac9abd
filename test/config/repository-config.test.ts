/**
 * `.testloom.yml`: a valid file becomes a typed configuration with defaults; a bad one becomes a list
 * of problems, each naming its key (and line), never an exception; the file is read from the
 * default branch of a real local git repository.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import {
  defaultRepositoryConfig, FILE_KEY, loadRepositoryConfig, MAX_REPOSITORY_CONFIG_BYTES, parseRepositoryConfig, renderRepositoryConfigProblems,
  type ConfigProblem, type RepositoryConfig,
} from '../../lib/config/repository-config';
import schema from '../../lib/config/repository-config.schema.json';
import { FRAMEWORKS } from '../../lib/core/frameworks';
import { SPEC_NAME_PATTERN } from '../../lib/core/subject';
import { git } from '../support/git-cli';
import { LocalGitHost } from '../../lib/repohost/local-git';
import type { Tables } from '../../schema/tables';

const options = { policy: { hosts: ['localhost', '127.0.0.1', '*.example.com'], variables: ['STAGING_*'] } };

const FULL = `# every key
version: 1
specs:
  - path: api/openapi.yaml
    name: shop
  - path: services/billing/swagger.json
    framework: pytest
framework: jest
output:
  dir: qa/generated
branchPrefix: bots/testloom-
target:
  baseUrl: https://staging.example.com/v1
  allowedMethods: [POST, DELETE]
  allowedHosts: [auth.example.com:8443]
  env:
    API_AUTH_BEARER_AUTH: \${STAGING_TOKEN}
    API_TIMEOUT_MS: "10000"
execution:
  runs: 5
  thresholds:
    minStatusCodeCoverage: 80
    maxFlakyTests: 0
schedule:
  cron: "0 6 * * 1-5"
labels:
  trigger: qa-tests
  pullRequest: [tests, automated]
ciWorkflow: false
pullRequestComments: false
`;

const DEFAULTS: RepositoryConfig = {
  version: 1,
  specs: [],
  output: { dir: 'tests/testloom' },
  branchPrefix: 'testloom/',
  execution: { thresholds: {} },
  labels: { pullRequest: [] },
  ciWorkflow: true,
  pullRequestComments: true,
};

function problemsOf(text: string): ConfigProblem[] {
  const result = parseRepositoryConfig(text, options);
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.config)}`);
  return result.problems;
}

describe('parseRepositoryConfig', () => {
  it('turns a full file into the typed configuration', () => {
    expect(parseRepositoryConfig(FULL, options)).toEqual({
      ok: true,
      config: {
        version: 1,
        specs: [{ path: 'api/openapi.yaml', name: 'shop' }, { path: 'services/billing/swagger.json', framework: 'pytest' }],
        framework: 'jest',
        output: { dir: 'qa/generated' },
        branchPrefix: 'bots/testloom-',
        target: {
          baseUrl: 'https://staging.example.com/v1',
          allowedMethods: ['POST', 'DELETE'],
          allowedHosts: ['auth.example.com:8443'],
          env: { API_AUTH_BEARER_AUTH: '${STAGING_TOKEN}', API_TIMEOUT_MS: '10000' },
        },
        execution: { runs: 5, thresholds: { minStatusCodeCoverage: 80, maxFlakyTests: 0 } },
        schedule: { cron: '0 6 * * 1-5' },
        labels: { trigger: 'qa-tests', pullRequest: ['tests', 'automated'] },
        ciWorkflow: false,
        pullRequestComments: false,
      } satisfies RepositoryConfig,
    });
  });

  it('gives the defaults for an empty or comment-only file, and fills in what a minimal one leaves out', () => {
    expect(defaultRepositoryConfig()).toEqual(DEFAULTS);
    expect(parseRepositoryConfig('', options)).toEqual({ ok: true, config: DEFAULTS });
    expect(parseRepositoryConfig('# nothing yet\n', options)).toEqual({ ok: true, config: DEFAULTS });
    expect(parseRepositoryConfig('framework: pytest\nschedule: { interval: 6h }\n', options)).toEqual({
      ok: true,
      config: { ...DEFAULTS, framework: 'pytest', schedule: { interval: '6h', intervalMs: 6 * 3_600_000 } },
    });
  });

  it('keeps the schema in step with the shared vocabulary', () => {
    expect(schema.$defs.framework.enum).toEqual([...FRAMEWORKS]);
    expect(schema.properties.specs.items.properties.name.pattern).toBe(SPEC_NAME_PATTERN);
  });

  it.each([
    ['an unknown key', 'framwork: jest\n', 'framwork', /unknown key \(known: version, specs, framework/, 1],
    ['an unknown nested key', 'execution:\n  thresholds:\n    maxFlaky: 1\n', 'execution.thresholds.maxFlaky', /unknown key \(known: minStatusCodeCoverage, maxFlakyTests\)/, 3],
    ['a wrong type', 'execution:\n  thresholds:\n    maxFlakyTests: many\n', 'execution.thresholds.maxFlakyTests', /whole number/, 3],
    ['a percentage out of range', 'execution: { thresholds: { minStatusCodeCoverage: 0.8e3 } }\n', 'execution.thresholds.minStatusCodeCoverage', /from 0 to 100/, 1],
    ['a bad enum', 'specs:\n  - path: openapi.yaml\n    framework: mocha\n', 'specs[0].framework', /must be one of jest, pytest/, 3],
    ['a missing required key', 'specs:\n  - name: shop\n', 'specs[0].path', /is required/, 2],
    ['a climbing spec path', 'specs:\n  - path: ../other/openapi.yaml\n', 'specs[0].path', /relative to the repository root/, 2],
    ['an absolute output folder', 'output:\n  dir: /etc\n', 'output.dir', /no absolute path/, 2],
    ['the repository root as output folder', 'output: { dir: "." }\n', 'output.dir', /relative to the repository root/, 1],
    ['a branch prefix git refuses', 'branchPrefix: "testloom..x/"\n', 'branchPrefix', /git branch name/, 1],
    ['another version', 'version: 2\n', 'version', /must be 1/, 1],
    ['cron and interval together', 'schedule:\n  cron: "@daily"\n  interval: 6h\n', 'schedule', /cron or interval, not both/, 1],
    ['an interval too short', 'schedule:\n  interval: 5m\n', 'schedule.interval', /at least 15m/, 2],
    ['a bad cron expression', 'schedule: { cron: "every day" }\n', 'schedule.cron', /5-field cron expression/, 1],
    ['a spec listed twice', 'specs:\n  - path: openapi.yaml\n  - path: openapi.yaml\n', 'specs[1].path', /repeats specs\[0\]\.path/, 3],
    ['an env name the suite never receives', 'target:\n  baseUrl: http://localhost:8080\n  env: { STAGING_TOKEN: x }\n', 'target.env.STAGING_TOKEN', /only API_\* names/, 3],
    ['a target host the operator does not allow', 'target:\n  baseUrl: https://internal.corp.net/v1\n', 'target.baseUrl', /"internal\.corp\.net" is not one testloom may run suites against/, 2],
    ['an allowed host the operator does not allow', 'target:\n  baseUrl: http://localhost:8080\n  allowedHosts: [metadata.internal]\n', 'target.allowedHosts', /not one testloom may run/, 3],
    ['a reference to testloom\'s own secret', 'target:\n  baseUrl: http://localhost:8080\n  env: { API_AUTH_KEY: "${GITHUB_TOKEN}" }\n', 'target.env.API_AUTH_KEY', /testloom's own settings or secrets/, 3],
    ['a reference the operator does not allow', 'target:\n  baseUrl: http://localhost:8080\n  env: { API_AUTH_KEY: "${HOME}" }\n', 'target.env.API_AUTH_KEY', /not a variable targets may use/, 3],
  ])('names the key of %s', (_, text, key, message, line) => {
    const problems = problemsOf(text);
    expect(problems).toEqual([{ key, message: expect.stringMatching(message), line }]);
  });

  it.each([
    ['a bearer token', 'API_AUTH_BEARER_AUTH: sk-live-0123456789abcdef', 'target.env.API_AUTH_BEARER_AUTH'],
    ['a header', 'API_HEADERS: \'{"X-Api-Key": "sk-live-0123456789abcdef"}\'', 'target.env.API_HEADERS'],
  ])('refuses %s given as a literal credential, without repeating it', (_, entry, key) => {
    const problems = problemsOf(`target:\n  baseUrl: https://staging.example.com\n  env:\n    ${entry}\n`);
    expect(problems).toEqual([{ key, message: expect.stringContaining('${STAGING_TOKEN}'), line: 4 }]);
    expect(JSON.stringify(problems)).not.toContain('sk-live');
  });

  it('refuses credentials in the base URL without repeating them', () => {
    const problems = problemsOf('target:\n  baseUrl: https://admin:hunter2@staging.example.com/v1\n');
    expect(problems).toEqual([{ key: 'target.baseUrl', message: expect.stringContaining('without credentials'), line: 2 }]);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('reports every problem at once, in the order of the file', () => {
    const problems = problemsOf('labels: { trigger: "" }\nframework: mocha\ntypo: 1\nciWorkflow: "yes"\n');
    expect(problems.map((problem) => [problem.key, problem.line])).toEqual([['labels.trigger', 1], ['framework', 2], ['typo', 3], ['ciWorkflow', 4]]);
  });

  it('reports malformed YAML with its line, and never quotes the line itself', () => {
    const problems = problemsOf('framework: jest\ntarget:\n  env: { API_AUTH_X: "sk-live-secret\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toEqual({ key: FILE_KEY, message: expect.stringMatching(/^is not valid YAML: /), line: expect.any(Number) });
    expect(problems[0].line).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(problems)).not.toContain('sk-live');
    expect(problemsOf('framework: jest\nframework: pytest\n')).toEqual([{ key: FILE_KEY, message: expect.stringContaining('unique'), line: 2 }]);
  });

  it('refuses a file over the size limit, and a document that is not a mapping', () => {
    const large = `# ${'x'.repeat(MAX_REPOSITORY_CONFIG_BYTES)}\n`;
    expect(problemsOf(large)).toEqual([{ key: FILE_KEY, message: `is ${large.length} bytes, more than the ${MAX_REPOSITORY_CONFIG_BYTES} allowed` }]);
    expect(problemsOf('- framework: jest\n')).toEqual([{ key: FILE_KEY, message: expect.stringContaining('must be a mapping'), line: 1 }]);
  });
});

describe('renderRepositoryConfigProblems', () => {
  it('names each key and line, escapes markdown and mentions no one', () => {
    const body = renderRepositoryConfigProblems([
      { key: FILE_KEY, message: 'is not valid YAML: bad', line: 4 },
      { key: 'execution.thresholds.maxFlakyTests', message: 'must be a whole number (0 or more)', line: 12 },
      { key: 'labels.`x`', message: 'see <script> and @octocat', line: 2 },
    ]);
    expect(body).toContain('`.testloom.yml`');
    expect(body).toContain('- the file (line 4): is not valid YAML: bad');
    expect(body).toContain('- `execution.thresholds.maxFlakyTests` (line 12): must be a whole number (0 or more)');
    expect(body).toContain("- `labels.'x'` (line 2): see \\<script\\> and `@octocat`");
  });
});

describe('loadRepositoryConfig through the local git host', () => {
  let root: string;
  let host: LocalGitHost;
  const identity = { GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@localhost', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@localhost' };

  /** A repository whose main branch holds `files`, committed the way a developer would. */
  async function repository(name: string, files: Record<string, string>, branch = 'main'): Promise<string> {
    const dir = path.join(root, 'acme', name);
    fs.mkdirSync(dir, { recursive: true });
    await git(dir, ['init', '--quiet', '--initial-branch', 'main']);
    await git(dir, ['commit', '--quiet', '--allow-empty', '-m', 'Initial commit'], { env: identity });
    if (branch !== 'main') await git(dir, ['checkout', '--quiet', '-b', branch]);
    for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), content);
    await git(dir, ['add', '--all']);
    await git(dir, ['commit', '--quiet', '-m', 'Add files'], { env: identity });
    return `acme/${name}`;
  }

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-repository-config-'));
    // Reading files never touches the database (reviews and comments do).
    host = new LocalGitHost(root, undefined as unknown as Kysely<Tables>);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads .testloom.yml from the default branch', async () => {
    const name = await repository('shop', { '.testloom.yml': FULL, 'openapi.yaml': 'openapi: 3.0.3\n' });
    const loaded = await loadRepositoryConfig(host, name, options);
    expect(loaded).toMatchObject({ ok: true, found: true, config: { framework: 'jest', output: { dir: 'qa/generated' }, branchPrefix: 'bots/testloom-' } });
  });

  it('gives the defaults when the file is absent, only on another branch, or the repository does not exist', async () => {
    const plain = await repository('plain', { 'README.md': '# plain\n' });
    const elsewhere = await repository('elsewhere', { '.testloom.yml': 'framework: pytest\n' }, 'feature');
    for (const name of [plain, elsewhere, 'acme/nowhere']) {
      expect(await loadRepositoryConfig(host, name, options)).toEqual({ ok: true, config: DEFAULTS, found: false });
    }
  });

  it('reports a bad file on the default branch as problems naming the key', async () => {
    const name = await repository('broken', { '.testloom.yml': 'target:\n  baseUrl: https://internal.corp.net\n' });
    const loaded = await loadRepositoryConfig(host, name, options);
    expect(loaded).toEqual({ ok: false, found: true, problems: [{ key: 'target.baseUrl', message: expect.stringContaining('internal.corp.net'), line: 2 }] });
    if (!loaded.ok) expect(renderRepositoryConfigProblems(loaded.problems)).toContain('- `target.baseUrl` (line 2): ');
  });
});
