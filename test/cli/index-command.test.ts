import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../lib/config';
import { freePort } from '../../lib/net/free-port';
import { ChromaCaseStore, collectionName } from '../../lib/retrieval';
import { testChromaUrl, uniqueRepository } from '../support/retrieval';

const FIXTURE = 'test/fixtures/seed-checkout';
const FIXTURE_CASES = 31;
const FIXTURE_FILES = 8;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function testloom(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/testloom', ...args],
      { cwd: PROJECT_ROOT, env: { ...process.env, CHROMA_URL: testChromaUrl(), TESTLOOM_MODELS_OFFLINE: '1', TESTLOOM_DATA_DIR: dataDir, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let dataDir: string;
const store = new ChromaCaseStore(testChromaUrl());
const repositories: string[] = [];

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-cli-'));
});

afterAll(async () => {
  for (const repository of repositories) await store.deleteRepository(repository);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('testloom index', () => {
  test('indexes the tests of a checkout; indexing again replaces them', async () => {
    const repository = uniqueRepository('cli');
    repositories.push(repository);
    const summary = `indexed ${FIXTURE_CASES} test cases from ${FIXTURE_FILES} files into ${collectionName(repository)} (now ${FIXTURE_CASES} in the index)`;

    const first = await testloom(['index', '--repo', repository, '--path', FIXTURE]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain(summary);
    expect(first.stdout).toContain('skipped src/empty.test.mjs: no tests found');
    expect(await store.count(repository)).toBe(FIXTURE_CASES);

    const second = await testloom(['index', '--repo', repository, '--path', FIXTURE]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(summary);
    expect(await store.count(repository)).toBe(FIXTURE_CASES);
  });

  test('rejects a repository name that is not owner/name, naming --repo', async () => {
    const result = await testloom(['index', '--repo', 'not-a-repository', '--path', FIXTURE]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('--repo');
    expect(result.stderr).toContain('owner/name');
  });

  test('rejects a path that is not a directory, naming it', async () => {
    const missing = await testloom(['index', '--repo', 'acme/shop', '--path', 'test/fixtures/no-such-checkout']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('test/fixtures/no-such-checkout');

    const file = await testloom(['index', '--repo', 'acme/shop', '--path', 'package.json']);
    expect(file.code).not.toBe(0);
    expect(file.stderr).toContain('package.json: not a directory');
  });

  test('says how to get a Chroma server when none answers', async () => {
    const result = await testloom(['index', '--repo', 'acme/shop', '--path', FIXTURE], { CHROMA_URL: `http://127.0.0.1:${await freePort()}` });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('testloom up');
    expect(result.stderr).toContain('CHROMA_URL');
  });
});
