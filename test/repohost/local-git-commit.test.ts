/**
 * Commits of the local git host, built in one pass (every blob by one git process, the index by
 * one more): files arrive byte for byte whatever their path, files the run no longer makes go, and
 * the same files again are the same commit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { git } from '../../lib/repohost/git';
import { LocalGitHost } from '../../lib/repohost/local-git';
import type { CommitRequest } from '../../lib/repohost/types';
import type { Tables } from '../../schema/tables';

let root: string;
let host: LocalGitHost;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-local-git-'));
  // Commits never touch the database (reviews and comments do).
  host = new LocalGitHost(root, undefined as unknown as Kysely<Tables>);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const FILES = [
  { path: 'tests/testloom/shop/pets.test.ts', content: "import * as api from './helpers';\n" },
  { path: 'tests/testloom/shop/a file with spaces & ünïcode.md', content: 'windows line ends\r\nstay\r\n' },
  { path: 'tests/testloom/shop/no-final-newline.txt', content: 'last line' },
  { path: 'tests/testloom/shop/empty.json', content: '' },
];
const request = (files = FILES, branch = 'testloom/shop'): CommitRequest => ({
  repository: 'acme/shop', branch, files, ownedDirs: ['tests/testloom/shop'], message: 'Add generated tests', date: new Date('2026-01-02T03:04:05Z'),
});
const show = (sha: string, file: string) => git(host.repositoryPath('acme/shop'), ['show', `${sha}:${file}`], { raw: true });

test('every file arrives byte for byte at its path, in one commit on the branch', async () => {
  const result = await host.commitFiles(request());
  expect(result).toMatchObject({ branch: 'testloom/shop', baseBranch: 'main', created: true });
  for (const file of FILES) expect(await show(result.commitSha, file.path)).toBe(file.content);
  const listed = await git(host.repositoryPath('acme/shop'), ['ls-tree', '-r', '--name-only', '-z', result.commitSha], { raw: true });
  expect(listed.split('\0').filter(Boolean).sort()).toEqual(['README.md', ...FILES.map((file) => file.path)].sort());
});

test('the same files again are the same commit; a file the run no longer makes goes, others outside its folder stay', async () => {
  const again = await host.commitFiles(request());
  expect(again.created).toBe(false);
  const changed = await host.commitFiles(request([{ ...FILES[0], content: 'changed\n' }]));
  expect(changed.created).toBe(true);
  expect(await show(changed.commitSha, FILES[0].path)).toBe('changed\n');
  const listed = await git(host.repositoryPath('acme/shop'), ['ls-tree', '-r', '--name-only', changed.commitSha]);
  expect(listed.split('\n').sort()).toEqual(['README.md', FILES[0].path]);
});

test('a suite of 200 files is one commit holding exactly those files', async () => {
  const files = Array.from({ length: 200 }, (_, i) => ({ path: `tests/testloom/big/part-${String(i).padStart(3, '0')}/case.test.ts`, content: `// case ${i}\n` }));
  const result = await host.commitFiles({ ...request(files, 'testloom/big'), ownedDirs: ['tests/testloom/big'] });
  const repo = host.repositoryPath('acme/shop');
  expect(await git(repo, ['rev-list', '--count', `main..${result.commitSha}`])).toBe('1');
  const listed = (await git(repo, ['ls-tree', '-r', '-z', result.commitSha, '--', 'tests/testloom/big'], { raw: true })).split('\0').filter(Boolean);
  expect(listed.map((entry) => entry.split('\t')[1])).toEqual(files.map((file) => file.path));
  expect(await show(result.commitSha, files[137].path)).toBe('// case 137\n');
});

test('repositories under a directory that is itself a git checkout are their own: nothing lands in the outer one', async () => {
  const outer = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-outer-'));
  try {
    await git(outer, ['init', '--quiet', '--initial-branch', 'main']);
    const nested = new LocalGitHost(path.join(outer, 'repos'), undefined as unknown as Kysely<Tables>);
    const result = await nested.commitFiles(request());
    expect(result.created).toBe(true);
    expect(await git(nested.repositoryPath('acme/shop'), ['rev-parse', 'refs/heads/testloom/shop'])).toBe(result.commitSha);
    expect(await git(outer, ['for-each-ref', '--format=%(refname)'])).toBe('');
  } finally {
    fs.rmSync(outer, { recursive: true, force: true });
  }
});
