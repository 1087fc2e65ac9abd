/**
 * A test runner taking several commands in one process (SuiteSession), and the Jest runner built on
 * it: a suite's runs share one Jest process, each with module state of its own.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateSuite } from '../../lib/execution';
import { SuiteSession } from '../../lib/frameworks/shared/suite-session';
import { suiteFiles } from './support/hand-written-suite';
import { INVENTORY_SPEC, startInventoryApi, type InventoryServer } from './support/inventory-api';

/**
 * Answers each `{ echo, sleepMs, filler, late }` line on fd 3 with the echo and its pid, after
 * sleeping, having first written what a suite's own code might (not an answer) and, on stderr, its
 * output (after `filler` x's) and the end mark; with `late` the output comes 30 ms after the answer,
 * as a pipe read after another would deliver it. `{ exit }` exits.
 */
const RUNNER = `
const fs = require('node:fs');
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const { echo, sleepMs = 0, exit, filler = 0, late } = JSON.parse(line);
  if (exit !== undefined) process.exit(exit);
  fs.writeSync(3, 'not json\\n[1]\\n"text"\\n');
  const answer = () => fs.writeSync(3, JSON.stringify({ echo, pid: process.pid }) + '\\n');
  const output = () => {
    console.error('x'.repeat(filler) + 'working on ' + echo);
    fs.writeSync(2, process.env.TESTLOOM_SESSION_MARK + '\\n');
  };
  if (late) {
    answer();
    setTimeout(output, 30);
  } else {
    output();
    setTimeout(answer, sleepMs);
  }
});
`;

type Answer = { echo: string; pid: number };
const open = () => new SuiteSession<Answer>({ command: process.execPath, args: ['-e', RUNNER], cwd: os.tmpdir(), env: { PATH: process.env.PATH ?? '' } });
const limits = { timeLimitMs: 20_000 };

/** Whether the process has ended (gone, or a zombie its new parent has yet to reap), waiting up to 5 s. */
async function ended(pid: number): Promise<boolean> {
  for (const deadline = Date.now() + 5_000; ;) {
    let state = '';
    try {
      state = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    } catch {
      // no such process
    }
    if (state === '' || state.startsWith('Z')) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a suite session', () => {
  it('answers commands one after another in one process, each with its own output, and is gone once closed', async () => {
    const session = open();
    const first = await session.request({ echo: 'a' }, limits);
    const second = await session.request({ echo: 'b', sleepMs: 100 }, limits);
    expect(first).toMatchObject({ reply: { echo: 'a' }, timedOut: false });
    expect(second).toMatchObject({ reply: { echo: 'b', pid: first.reply!.pid }, timedOut: false });
    expect(first.output.trim()).toBe('working on a');
    expect(second.output.trim()).toBe('working on b');
    await session.close();
    expect(session.alive).toBe(false);
    expect(await ended(first.reply!.pid)).toBe(true);
    await expect(session.request({ echo: 'c' }, limits)).rejects.toThrow('the test runner has ended');
  });

  it('gives each command exactly its own output, however the pipes interleave and however long the output', async () => {
    const session = new SuiteSession<Answer>({ command: process.execPath, args: ['-e', RUNNER], cwd: os.tmpdir(), env: { PATH: process.env.PATH ?? '' }, outputTail: 200_000 });
    for (let n = 0; n < 40; n++) {
      const filler = n % 4 === 3 ? 150_000 + n : 0; // more than a pipe's buffer: the mark may arrive split across chunks
      const { reply, output } = await session.request({ echo: String(n), filler, late: n % 2 === 1 }, limits);
      expect(reply?.echo).toBe(String(n));
      expect(output).toBe(`${'x'.repeat(filler)}working on ${n}\n`);
    }
    await session.close();
  });

  it('is killed with its group at a command\'s time limit, or when its signal aborts; a runner that exits answers with its code', async () => {
    const slow = open();
    const pid = (await slow.request({ echo: 'a' }, limits)).reply!.pid;
    expect(await slow.request({ echo: 'b', sleepMs: 60_000 }, { timeLimitMs: 300 })).toMatchObject({ timedOut: true, code: null });
    expect(slow.alive).toBe(false);
    expect(await ended(pid)).toBe(true);

    const aborted = open();
    const controller = new AbortController();
    const answer = aborted.request({ echo: 'a', sleepMs: 60_000 }, { ...limits, signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    expect(await answer).toMatchObject({ timedOut: false, code: null });
    expect(aborted.alive).toBe(false);

    const exiting = open();
    const exited = await exiting.request({ exit: 3 }, limits);
    expect(exited).toEqual({ code: 3, output: '', timedOut: false });
    expect(exiting.alive).toBe(false);
  });
});

describe('the runs of a Jest suite', () => {
  let api: InventoryServer;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-jest-runs-'));
  beforeAll(async () => {
    api = await startInventoryApi({});
  });
  afterAll(async () => {
    await api?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('share one Jest process, each run with fresh modules', async () => {
    const tests = `
let calls = 0;
test('lists items', async () => {
  calls += 1;
  expectStatus(await call('GET', '/items?pid=' + process.pid + '&calls=' + calls), 200);
});
`;
    const report = await validateSuite({ files: suiteFiles({ 'items.test.ts': tests }), api: INVENTORY_SPEC, target: { baseUrl: api.baseUrl } });
    expect(report.runs.map((run) => run.tests.map((t) => t.outcome))).toEqual([['passed'], ['passed'], ['passed']]);
    const sent = report.exchanges.map((e) => ({ run: e.run, query: Object.fromEntries(e.query) }));
    expect(sent.map((e) => [e.run, e.query.calls])).toEqual([[1, '1'], [2, '1'], [3, '1']]);
    expect(new Set(sent.map((e) => e.query.pid)).size).toBe(1);
    expect(await ended(Number(sent[0].query.pid))).toBe(true);
  });
});
