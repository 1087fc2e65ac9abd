/**
 * The quality gates' long-lived child process (check-process.ts): checks sent together are each
 * answered with their own result; a check over its time limit, or cancelled, fails with the reason
 * and the next check is answered by a new child.
 */
import { readFileSync } from 'node:fs';
import { generateSpecSuite } from '../../lib/generation';
import { checkSuiteInChildProcess, holdCheckerProcess, stopCheckerProcess } from '../../lib/generation/gates/check-process';
import type { Artifact } from '../../lib/core/run';
import { loadSpec } from './spec-fixtures';
import { TYPESCRIPT_LOADER } from '../support/testloom-processes';

const OUT = 'tests/testloom/petstore';
let suite: Artifact[];
const broken: Artifact = { path: `${OUT}/broken.test.ts`, kind: 'test', content: "test('x', () => {\n  const wrong: number = 'text';\n  expect(wrong).toBe(1);\n});\n" };

/**
 * The suite with a comment making it one the checker has not seen: its check takes time (the
 * checker remembers what it found in suites it has seen and answers those at once).
 */
let variants = 0;
const unseen = (): Artifact[] => {
  const variant = ++variants;
  const first = suite.findIndex((a) => a.kind === 'test');
  return suite.map((a, i) => (i === first ? { ...a, content: `${a.content}\n// variant ${variant}\n` } : a));
};

/**
 * Checker children this test file did not start: the one the test environment lends the harnesses
 * of earlier test files in this Jest worker (test/support/node-environment.js).
 */
let lent = new Set<number>();

beforeAll(async () => {
  lent = new Set(checkerChildren());
  suite = generateSpecSuite({ api: await loadSpec('petstore'), specId: 'petstore', outDir: OUT }).artifacts;
});

test('checks sent at once are answered in order, each with its own result', async () => {
  const [good, bad, goodAgain] = await Promise.all([
    checkSuiteInChildProcess(suite),
    checkSuiteInChildProcess([...suite, broken]),
    checkSuiteInChildProcess(suite),
  ]);
  expect(good).toEqual({ passed: suite, failed: [] });
  expect(bad.failed.map((failure) => [failure.path, failure.gate])).toEqual([[broken.path, 'typescript']]);
  expect(bad.passed).toEqual(suite);
  expect(goodAgain).toEqual(good);
}, 60_000);

test('a suite checked before gets what was found then; a changed test file is checked anew; documents are the request\'s own', async () => {
  const doc = (content: string): Artifact => ({ path: `${OUT}/notes.md`, kind: 'doc', content });
  const fixed: Artifact = { ...broken, content: broken.content.replace("'text'", '1') };
  const answers = [];
  for (const artifacts of [[...suite, broken, doc('a')], [...suite, fixed, doc('a')], [...suite, broken, doc('b')], [...suite, fixed, doc('c')]]) {
    const result = await checkSuiteInChildProcess(artifacts);
    answers.push([result.failed.map((failure) => failure.path), result.passed.filter((a) => a.path === doc('').path).map((a) => a.content)]);
  }
  expect(answers).toEqual([[[broken.path], ['a']], [[], ['a']], [[broken.path], ['b']], [[], ['c']]]);
}, 60_000);

test('a check over its time limit fails saying so; the next one is answered by a new child', async () => {
  await expect(checkSuiteInChildProcess(unseen(), { timeoutMs: 1 })).rejects.toThrow(/quality gates failed to run \(killed by SIGKILL\):.*after 1 ms/);
  await expect(checkSuiteInChildProcess(suite)).resolves.toEqual({ passed: suite, failed: [] });
}, 60_000);

test('a cancelled check fails at once, queued or running; the others are answered', async () => {
  const running = new AbortController();
  const queued = new AbortController();
  const first = checkSuiteInChildProcess(unseen(), { signal: running.signal });
  const second = checkSuiteInChildProcess(suite, { signal: queued.signal });
  const third = checkSuiteInChildProcess([...suite, broken]);
  queued.abort();
  running.abort();
  await expect(first).rejects.toThrow(/cancelled/);
  await expect(second).rejects.toThrow(/cancelled/);
  expect((await third).failed.map((failure) => failure.path)).toEqual([broken.path]);
}, 60_000);

/** The checker children of this process that this file's checks started, from /proc. */
function checkerChildren(): number[] {
  const children = (readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)).map(Number);
  return children.filter((pid) => !lent.has(pid)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('check-process-main');
    } catch {
      return false; // ended meanwhile
    }
  });
}

test('stopping the checker (its services closing) ends its child and fails what waits; the next check starts a new one', async () => {
  await checkSuiteInChildProcess(suite);
  expect(checkerChildren()).toHaveLength(1);
  const running = checkSuiteInChildProcess(unseen());
  const queued = checkSuiteInChildProcess(suite);
  stopCheckerProcess();
  await expect(queued).rejects.toThrow(/the checker was stopped/);
  await expect(running).rejects.toThrow(/quality gates failed to run/);
  for (let waited = 0; checkerChildren().length > 0 && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(checkerChildren()).toEqual([]);
  await expect(checkSuiteInChildProcess(suite)).resolves.toEqual({ passed: suite, failed: [] });
  stopCheckerProcess();
}, 60_000);

test('the child ends when the last set of services holding it closes, not before', async () => {
  const [first, second] = [holdCheckerProcess(), holdCheckerProcess()];
  await checkSuiteInChildProcess(suite);
  first();
  first(); // a second close of the same services counts once
  expect(checkerChildren()).toHaveLength(1);
  second();
  for (let waited = 0; checkerChildren().length > 0 && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(checkerChildren()).toEqual([]);
}, 60_000);

test('an idle child does not keep its parent process from exiting', async () => {
  const { spawn } = await import('node:child_process');
  const path = await import('node:path');
  const file = JSON.stringify(path.resolve(__dirname, '../../lib/generation/gates/check-process'));
  const script = `require(${file}).checkSuiteInChildProcess(${JSON.stringify([broken])}).then((result) => console.log(result.failed.length))`;
  const parent = spawn(process.execPath, [...TYPESCRIPT_LOADER, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  parent.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => parent.once('exit', resolve));
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 30_000).unref());
  const outcome = await Promise.race([exited, timeout]);
  if (outcome === 'still running') parent.kill('SIGKILL');
  expect([outcome, output.trim()]).toEqual([0, '1']);
}, 60_000);
