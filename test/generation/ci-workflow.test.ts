/**
 * The CI workflow delivered with the suites (.github/workflows/testloom.yml). GitHub's own workflow
 * parser (@actions/workflow-parser, the Actions language server's) checks the file; it runs in a
 * child Node under tsx, because the package imports its JSON schema without an import attribute,
 * which neither Node's ESM loader nor Jest's CommonJS runtime accepts. Then the jobs run: every
 * `run:` step in bash as a runner runs it (GITHUB_ENV, GITHUB_STEP_SUMMARY, RUNNER_TEMP), with
 * `${{ }}` and `if:` evaluated by GitHub's expression evaluator (@actions/expressions), in a
 * repository holding real generated suites, against real local APIs. Steps that `uses:` an action
 * (checkout, setup-node/python, upload) and the Jest install (a download) are left out: the Jest
 * suites find the project's node_modules through TESTLOOM_NODE_MODULES, which that step would set.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import YAML from 'yaml';
import type * as Expressions from '@actions/expressions' with { 'resolution-mode': 'import' };
import { ciWorkflow, ciWorkflowFile, CI_WORKFLOW_PATH, type CiSuite } from '../../lib/frameworks/ci-workflow';
import { generateSpecSuite, type GeneratedSuite } from '../../lib/generation';
import { startPetstoreServer, type PetstoreServer } from '../fixtures/petstore-server';
import { loadSpec, NODE_MODULES, REPO_ROOT, writeArtifacts } from './spec-fixtures';

const JEST_SUITE: CiSuite = { outDir: 'tests/testloom/petstore', framework: 'jest', credentialVariables: [] };
/** A second Jest suite: the job runs every one it finds. */
const SECOND_JEST_DIR = 'tests/testloom/petstore-v2';
const PYTEST_SUITE: CiSuite = { outDir: 'tests/testloom/secured', framework: 'pytest', credentialVariables: ['API_AUTH_TOKEN'] };
const TOKEN = 't-789';

/** One operation behind a bearer token: the pytest suite passes only with API_AUTH_TOKEN from the secrets. */
const SECURED_SPEC = {
  openapi: '3.0.3',
  info: { title: 'Secured', version: '1' },
  components: { securitySchemes: { token: { type: 'http', scheme: 'bearer' } } },
  paths: {
    '/things/{thingId}': {
      get: {
        operationId: 'getThing',
        security: [{ token: [] }],
        parameters: [{ name: 'thingId', in: 'path', required: true, schema: { type: 'integer', example: 1 } }],
        responses: { '200': { description: 'the thing' }, '401': { description: 'no credentials' }, '404': { description: 'no such thing' } },
      },
    },
  },
};

async function startSecuredServer(): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const app = express();
  app.get('/things/:thingId', (req, res) => {
    const token = req.get('authorization')?.replace(/^Bearer /, '');
    if (!token) return res.status(401).json({ message: 'credentials required' });
    if (token !== TOKEN) return res.status(403).json({ message: 'wrong credentials' });
    if (!/^\d+$/.test(req.params.thingId)) return res.status(400).json({ message: 'thingId must be an integer' });
    if (req.params.thingId !== '1') return res.status(404).json({ message: 'no such thing' });
    res.json({ id: 1 });
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

interface RunOptions { cwd: string; env: NodeJS.ProcessEnv; input?: string }

function run(command: string, args: string[], options: RunOptions): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const stdin = options.input === undefined ? 'ignore' : 'pipe';
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: [stdin, 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin?.end(options.input);
  });
}

const PARSE = `
import { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } from '@actions/workflow-parser';
let content = '';
for await (const chunk of process.stdin) content += chunk;
const parsed = parseWorkflow({ name: 'testloom.yml', content }, new NoOperationTraceWriter());
const template = await convertWorkflowTemplate(parsed.context, parsed.value);
const messages = [...parsed.context.errors.getErrors().map((e) => e.message), ...(template.errors ?? []).map((e) => e.Message)];
console.log(JSON.stringify({ errors: [...new Set(messages)], jobs: (template.jobs ?? []).map((job) => job.id.value) }));
`;

/** GitHub's workflow parser: parse, then convert to its workflow template (which checks job references too). */
async function parseWithGitHub(content: string): Promise<{ errors: string[]; jobs: string[] }> {
  const { code, output } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PARSE], { cwd: REPO_ROOT, env: process.env, input: content });
  if (code !== 0) throw new Error(`the workflow parser failed: ${output}`);
  return JSON.parse(output) as { errors: string[]; jobs: string[] };
}

interface Step { name: string; if?: string; uses?: string; env?: Record<string, string>; run?: string }
interface Job { if?: string; env?: Record<string, string>; steps: Step[] }
interface JobRun { code: number; log: string; summary: string; ran: string[]; left: string[]; env: Record<string, string>; reports: string }
interface Context { secrets?: Record<string, string>; vars?: Record<string, string>; github?: object }

/** Node's own import() (test/support/node-environment.js): @actions/expressions is ESM-only. */
const hostImport = (specifier: string) => (globalThis as unknown as { __importInHost: (specifier: string) => Promise<unknown> }).__importInHost(specifier);

/** Evaluates one expression (an `if:`, or what stands between `${{ }}`) with GitHub's evaluator. */
async function evaluate(expression: string, contexts: Record<string, unknown>): Promise<{ text: string; truthy: boolean }> {
  const { Lexer, Parser, Evaluator, data } = (await hostImport('@actions/expressions')) as typeof Expressions;
  const { truthy } = (await hostImport('@actions/expressions/result')) as { truthy: (value: Expressions.data.ExpressionData) => boolean };
  const status = ['always', 'success', 'cancelled', 'failure'].map((name) => ({ name, minArgs: 0, maxArgs: 0 }));
  const expr = new Parser(new Lexer(expression).lex().tokens, Object.keys(contexts), status).parse();
  const results: Record<string, boolean> = { always: true, success: true, cancelled: false, failure: false };
  const functions = new Map(status.map((info) => [info.name, { ...info, call: () => new data.BooleanData(results[info.name]) }]));
  const value = new Evaluator(expr, JSON.parse(JSON.stringify(contexts), data.reviver) as Expressions.data.Dictionary, functions).evaluate();
  return { text: value.coerceString(), truthy: truthy(value) };
}

async function substitute(text: string, contexts: Record<string, unknown>): Promise<string> {
  let result = text;
  for (const [whole, expression] of text.matchAll(/\$\{\{(.*?)\}\}/g)) result = result.replace(whole, (await evaluate(expression, contexts)).text);
  return result;
}

async function condition(text: string | undefined, contexts: Record<string, unknown>): Promise<boolean> {
  if (text === undefined) return true;
  return (await evaluate(text.replace(/^\s*\$\{\{(.*)\}\}\s*$/, '$1'), contexts)).truthy;
}

/** GITHUB_ENV's two forms: `NAME=value` and `NAME<<DELIMITER` … `DELIMITER`. */
function readEnvFile(text: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      entries[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i].includes('=')) entries[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1);
  }
  return entries;
}

/** Runs a job of the workflow in `repoDir` as a runner would, leaving out the steps that use an action and those named in `leaveOut`. */
async function runJob(content: string, jobId: string, repoDir: string, context: Context, leaveOut: string[] = []): Promise<JobRun> {
  const job = (YAML.parse(content) as { jobs: Record<string, Job> }).jobs[jobId];
  const temp = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-runner-'));
  const files = { GITHUB_ENV: path.join(temp, 'env'), GITHUB_STEP_SUMMARY: path.join(temp, 'summary.md'), RUNNER_TEMP: temp, GITHUB_WORKSPACE: repoDir };
  await fs.writeFile(files.GITHUB_STEP_SUMMARY, '');
  const github = context.github ?? { event_name: 'pull_request', ref_name: 'testloom/spec-petstore', event: { repository: { default_branch: 'main' } } };
  const base = { secrets: context.secrets ?? {}, vars: context.vars ?? {}, github, runner: { temp } };
  const jobEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(job.env ?? {})) jobEnv[name] = await substitute(value, { ...base, env: {} });
  let env: Record<string, string> = { ...jobEnv };
  const runs: JobRun = { code: 0, log: '', summary: '', ran: [], left: [], env, reports: path.join(temp, 'testloom-reports') };
  for (const step of job.steps) {
    if (step.uses || leaveOut.includes(step.name)) {
      runs.left.push(step.name);
      continue;
    }
    if (!(await condition(step.if, { ...base, env }))) continue;
    const stepEnv: Record<string, string> = {};
    for (const [name, value] of Object.entries(step.env ?? {})) stepEnv[name] = await substitute(value, { ...base, env });
    await fs.writeFile(files.GITHUB_ENV, '');
    const script = path.join(temp, 'step.sh');
    await fs.writeFile(script, step.run ?? '');
    // The user's own variables (PATH, and what the leaving-out stands for), then the job's and the step's, then the runner's files.
    const processEnv = { PATH: process.env.PATH, HOME: temp, TESTLOOM_NODE_MODULES: NODE_MODULES, PIP_NO_INDEX: '1', ...env, ...stepEnv, ...files };
    const { code, output } = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: repoDir, env: processEnv });
    runs.ran.push(step.name);
    runs.log += `## ${step.name}\n${output}`;
    env = { ...env, ...readEnvFile(await fs.readFile(files.GITHUB_ENV, 'utf8')) };
    runs.env = env;
    if (code !== 0) {
      runs.code = code ?? 1;
      break;
    }
  }
  runs.summary = await fs.readFile(files.GITHUB_STEP_SUMMARY, 'utf8');
  return runs;
}

describe('the CI workflow delivered with the suites', () => {
  const { content, path: workflowPath } = ciWorkflowFile([JEST_SUITE]);
  let repoDir: string;
  let emptyRepo: string;
  let petstore: PetstoreServer;
  let secured: Awaited<ReturnType<typeof startSecuredServer>>;
  let jestSuite: GeneratedSuite;
  let pytestSuite: GeneratedSuite;

  beforeAll(async () => {
    jestSuite = generateSpecSuite({ api: await loadSpec('petstore'), specId: 'petstore', outDir: JEST_SUITE.outDir });
    const secondJestSuite = generateSpecSuite({ api: await loadSpec('petstore'), specId: 'petstore-v2', outDir: SECOND_JEST_DIR });
    pytestSuite = generateSpecSuite({ api: SECURED_SPEC, specId: 'secured', outDir: PYTEST_SUITE.outDir, framework: 'pytest' });
    repoDir = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-ci-'));
    emptyRepo = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-ci-empty-'));
    await writeArtifacts(repoDir, [...jestSuite.artifacts, ...secondJestSuite.artifacts, ...pytestSuite.artifacts, { path: workflowPath, content, kind: 'helper' }]);
    // The repository's own test settings, which must not reach the suites.
    // (Run by pytest, they would fail every run: the pytest job passing proves they are kept out.)
    await fs.writeFile(path.join(repoDir, 'pytest.ini'), '[pytest]\naddopts = --no-such-option\n');
    await fs.writeFile(path.join(repoDir, 'conftest.py'), 'raise RuntimeError("the repository\'s own conftest")\n');
    await fs.writeFile(path.join(repoDir, 'package.json'), '{ "name": "target", "private": true, "jest": { "testMatch": ["**/nothing"] } }\n');
    [petstore, secured] = await Promise.all([startPetstoreServer(), startSecuredServer()]);
  });
  afterAll(async () => {
    await Promise.all([petstore?.close(), secured?.close()]);
    for (const dir of [repoDir, emptyRepo]) if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  test('GitHub\'s workflow parser accepts it, the same file for Jest, pytest and mixed repositories', async () => {
    expect(workflowPath).toBe(CI_WORKFLOW_PATH);
    for (const suites of [[PYTEST_SUITE], [JEST_SUITE, PYTEST_SUITE], []]) expect(ciWorkflowFile(suites).content).toBe(content);
    expect(await parseWithGitHub(content)).toEqual({ errors: [], jobs: ['jest', 'pytest'] });
  });

  test('the parser reports a broken workflow', async () => {
    const broken = ciWorkflow() as { permissions: object; jobs: Record<string, Record<string, unknown>> };
    delete broken.jobs.jest['runs-on'];
    broken.permissions = { contents: 'reed' };
    (broken.jobs.pytest.env as Record<string, string>).API_BASE_URL = '${{ secretz.TESTLOOM_API_BASE_URL }}';
    const { errors } = await parseWithGitHub(YAML.stringify(broken));
    expect(errors).toEqual(expect.arrayContaining([
      expect.stringContaining('Required property is missing: runs-on'),
      expect.stringContaining("Unexpected value 'reed'"),
      expect.stringContaining("Unrecognized named-value: 'secretz'"),
    ]));
    const unknownJob = ciWorkflow() as { jobs: Record<string, Record<string, unknown>> };
    unknownJob.jobs.pytest.needs = 'jets';
    expect((await parseWithGitHub(YAML.stringify(unknownJob))).errors).toEqual([expect.stringContaining("depends on unknown job 'jets'")]);
  });

  test('triggers, read-only permissions and actions pinned to a major version', () => {
    const workflow = YAML.parse(content) as { on: Record<string, { paths?: string[] }>; permissions: object; jobs: Record<string, Job> };
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push', 'workflow_dispatch']);
    expect(workflow.on.pull_request.paths).toContain('tests/testloom/**');
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const actions = Object.values(workflow.jobs).flatMap((job) => job.steps.flatMap((step) => step.uses ?? []));
    expect(new Set(actions)).toEqual(new Set(['actions/checkout@v4', 'actions/setup-node@v4', 'actions/setup-python@v5', 'actions/upload-artifact@v4']));
    expect(content).toMatch(/^# Generated by testloom/);
  });

  test('refuses suites it would not find or could not give their credentials', () => {
    expect(() => ciWorkflowFile([{ ...JEST_SUITE, outDir: 'qa/petstore' }])).toThrow('tests/testloom/<name>/ only, not one in "qa/petstore"');
    expect(() => ciWorkflowFile([{ ...PYTEST_SUITE, credentialVariables: ['PETSTORE_KEY'] }])).toThrow('not PETSTORE_KEY');
  });

  test('the Jest job finds and runs every Jest suite, with the base URL from a repository variable', async () => {
    const job = await runJob(content, 'jest', repoDir, { vars: { TESTLOOM_API_BASE_URL: petstore.baseUrl } }, ['Install Jest']);
    expect({ code: job.code, log: job.code ? job.log : '' }).toEqual({ code: 0, log: '' });
    expect(job.left).toEqual(['Check out', 'Set up Node.js', 'Install Jest', 'Upload the reports']);
    expect(job.summary).toContain('| tests/testloom/petstore | passed |\n| tests/testloom/petstore-v2 | passed |');
    expect(job.summary).not.toContain('secured');
    for (const report of ['petstore.json', 'petstore-v2.json']) {
      const results = JSON.parse(await fs.readFile(path.join(job.reports, report), 'utf8')) as { numPassedTests: number; numTotalTests: number };
      expect(results).toMatchObject({ numTotalTests: jestSuite.cases.length, numPassedTests: jestSuite.cases.length });
    }
  });

  test('the pytest job installs, passes only the suites\' secrets (multi-line too) and runs the pytest suite', async () => {
    const headers = '{\n  "X-Tenant": "acme"\n}';
    const secrets = { TESTLOOM_API_BASE_URL: secured.baseUrl, API_AUTH_TOKEN: TOKEN, API_HEADERS: headers, DEPLOY_KEY: 'not for the suites', github_token: 'ghs_x' };
    const job = await runJob(content, 'pytest', repoDir, { secrets });
    expect({ code: job.code, log: job.code ? job.log : '' }).toEqual({ code: 0, log: '' });
    expect(job.ran).toContain('Install the suites\' requirements');
    expect(job.log).toContain('Credentials from repository secrets: API_AUTH_TOKEN, API_HEADERS');
    expect(job.env).toMatchObject({ API_AUTH_TOKEN: TOKEN, API_HEADERS: headers, API_BASE_URL: secured.baseUrl });
    expect(Object.keys(job.env).filter((name) => /DEPLOY|GITHUB_TOKEN/i.test(name))).toEqual([]);
    expect(job.summary).toContain('| tests/testloom/secured | passed |');
    expect(job.summary).not.toContain('petstore');
    const report = await fs.readFile(path.join(job.reports, 'secured.xml'), 'utf8');
    expect(report).toMatch(new RegExp(`<testsuite [^>]*errors="0" failures="0" skipped="0" tests="${pytestSuite.cases.length}"`));
  });

  test('a failing suite fails the job and is marked failed in the summary', async () => {
    const job = await runJob(content, 'pytest', repoDir, { secrets: { TESTLOOM_API_BASE_URL: secured.baseUrl } });
    expect(job.code).toBe(1);
    expect(job.ran.at(-1)).toBe('Run the pytest suites');
    expect(job.summary).toContain('| tests/testloom/secured | failed |');
    expect(job.log).toMatch(/FAILED .*test_returns_200/);
  });

  test('without a base URL the job fails before running a suite, naming the setting', async () => {
    const job = await runJob(content, 'jest', repoDir, { secrets: { API_AUTH_TOKEN: TOKEN } }, ['Install Jest']);
    expect(job.code).toBe(1);
    expect(job.ran).toEqual(['Find the Jest suites', 'Check the API base URL']);
    expect(job.log).toContain('::error title=TESTLOOM_API_BASE_URL is not set::');
  });

  test('a repository without suites passes both jobs without running anything', async () => {
    for (const jobId of ['jest', 'pytest']) {
      const job = await runJob(content, jobId, emptyRepo, {}, ['Install Jest']);
      expect(job.code).toBe(0);
      expect(job.ran).toEqual([`Find the ${jobId === 'jest' ? 'Jest' : 'pytest'} suites`]);
      expect(job.log).toContain('::notice::No ');
    }
  });

  test('runs on pull requests and dispatch, and on a push only to the default branch', async () => {
    const jobs = (YAML.parse(content) as { jobs: Record<string, Job> }).jobs;
    const on = (event_name: string, ref_name: string) => ({ github: { event_name, ref_name, event: { repository: { default_branch: 'main' } } } });
    for (const job of Object.values(jobs)) {
      expect(await condition(job.if, on('pull_request', 'testloom/spec-petstore'))).toBe(true);
      expect(await condition(job.if, on('workflow_dispatch', 'feature'))).toBe(true);
      expect(await condition(job.if, on('push', 'main'))).toBe(true);
      expect(await condition(job.if, on('push', 'feature'))).toBe(false);
    }
  });
});
