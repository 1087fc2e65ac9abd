/**
 * Commits of the local git host, built in this process (lib/repohost/git-store.ts) and checked
 * with the git CLI: files arrive byte for byte whatever their path, files the run no longer makes
 * go, the same files again are the same commit, the objects pass `git fsck`, and a branch update
 * is compare-and-swap under git's own lock file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { git } from '../support/git-cli';
import { LocalGitHost } from '../../lib/repohost/local-git';
import { diffCommits, EMPTY_OID, initRepository, mergeBase, RefUpdateError, updateBranch } from '../../lib/repohost/git-store';
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

test('trees with names git sorts specially pass git fsck, and git itself reads the same tree back', async () => {
  const names = ['a.b', 'a/b', 'a-b', 'a0', 'a/c/d', 'ab', 'A', 'z'].map((name) => `tests/testloom/sorted/${name}`);
  const files = names.map((file) => ({ path: file, content: `${file}\n` }));
  const result = await host.commitFiles({ ...request(files, 'testloom/sorted'), ownedDirs: ['tests/testloom/sorted'] });
  const repo = host.repositoryPath('acme/shop');
  await git(repo, ['fsck', '--strict', '--no-dangling']);
  // git rebuilds the tree from the commit's listing: the same id only if every tree is in git's order.
  const listing = await git(repo, ['ls-tree', '-r', '-z', '--full-tree', result.commitSha], { raw: true });
  const index = path.join(root, 'sorted-index');
  await git(repo, ['update-index', '-z', '--add', '--index-info'], { env: { GIT_INDEX_FILE: index }, input: listing });
  expect(await git(repo, ['write-tree'], { env: { GIT_INDEX_FILE: index } })).toBe(await git(repo, ['rev-parse', `${result.commitSha}^{tree}`]));
});

test('a branch moved by someone else since it was read is not overwritten; a lock held by a live update is respected, a stale one taken over', async () => {
  const repo = host.repositoryPath('acme/shop');
  const first = await host.commitFiles(request([{ ...FILES[0], content: 'one\n' }], 'testloom/cas'));
  const second = await host.commitFiles(request([{ ...FILES[0], content: 'two\n' }], 'testloom/cas'));
  // The git CLI moves it back behind our back: an update expecting `second` must fail.
  await git(repo, ['update-ref', 'refs/heads/testloom/cas', first.commitSha, second.commitSha]);
  await expect(updateBranch(repo, 'testloom/cas', second.commitSha, second.commitSha)).rejects.toThrow(RefUpdateError);
  expect(await git(repo, ['rev-parse', 'refs/heads/testloom/cas'])).toBe(first.commitSha);

  const lock = path.join(repo, '.git', 'refs', 'heads', 'testloom', 'cas.lock');
  fs.writeFileSync(lock, '');
  await expect(updateBranch(repo, 'testloom/cas', second.commitSha, first.commitSha)).rejects.toThrow(/locked by another update/);
  const minuteAgo = new Date(Date.now() - 60_000);
  fs.utimesSync(lock, minuteAgo, minuteAgo);
  await updateBranch(repo, 'testloom/cas', second.commitSha, first.commitSha);
  expect(await git(repo, ['rev-parse', 'refs/heads/testloom/cas'])).toBe(second.commitSha);
  expect(fs.existsSync(lock)).toBe(false);
  // git's own update-ref honours the same lock protocol afterwards.
  await git(repo, ['update-ref', 'refs/heads/testloom/cas', first.commitSha, second.commitSha]);
});

test('a branch packed by git gc is read and moved like a loose one; files are read from packed objects', async () => {
  const repo = host.repositoryPath('acme/shop');
  const before = await host.commitFiles(request([{ ...FILES[0], content: 'packed\n' }], 'testloom/packed'));
  await git(repo, ['gc', '--quiet', '--prune=now']);
  expect(fs.existsSync(path.join(repo, '.git', 'refs', 'heads', 'testloom', 'packed'))).toBe(false);
  expect(await host.readFiles('acme/shop', FILES[0].path, before.commitSha)).toEqual([{ path: FILES[0].path, content: 'packed\n' }]);
  const after = await host.commitFiles(request([{ ...FILES[0], content: 'after gc\n' }], 'testloom/packed'));
  expect(await git(repo, ['rev-parse', `${after.commitSha}^`])).toBe(before.commitSha);
  expect(await show(after.commitSha, FILES[0].path)).toBe('after gc\n');
});

test('a review holds the diff git shows for base...head: new, changed and deleted files', async () => {
  const repo = host.repositoryPath('acme/shop');
  const long = Array.from({ length: 12 }, (_, i) => `line ${i}`).join('\n');
  const first = await host.commitFiles(request([
    { path: 'tests/testloom/shop/kept.txt', content: `${long}\n` },
    { path: 'tests/testloom/shop/gone.txt', content: 'bye\n' },
  ], 'testloom/review'));
  const second = await host.commitFiles(request([
    { path: 'tests/testloom/shop/kept.txt', content: `${long.replace('line 6', 'line six')}\n` },
    { path: 'tests/testloom/shop/new.txt', content: 'no final newline' },
  ], 'testloom/review'));
  const main = await git(repo, ['rev-parse', 'main']);
  const ours = await diffCommits(repo, await mergeBase(repo, main, second.commitSha), second.commitSha);
  // git writes the nearest line above a hunk after its header (a guess at the function): the only difference allowed.
  const withoutFunctionContext = (diff: string) => diff.replace(/^(@@ [^@]+ @@).*$/gm, '$1');
  expect(ours).toBe(withoutFunctionContext(await git(repo, ['diff', '--no-color', '--no-ext-diff', `main...${second.commitSha}`])));
  expect(await diffCommits(repo, first.commitSha, second.commitSha)).toBe(withoutFunctionContext(await git(repo, ['diff', '--no-color', first.commitSha, second.commitSha])));
});

test('files at a commit the repository does not hold, or at a path outside the tree, are none', async () => {
  const result = await host.commitFiles(request(FILES, 'testloom/reads'));
  expect(await host.readFiles('acme/shop', 'tests/testloom/shop', 'f'.repeat(40))).toEqual([]);
  const blob = await git(host.repositoryPath('acme/shop'), ['rev-parse', `${result.commitSha}:README.md`]);
  expect(await host.readFiles('acme/shop', 'README.md', blob)).toEqual([]);
  expect(await host.readFiles('acme/shop', '../README.md', result.commitSha)).toEqual([]);
  expect(await host.readFiles('acme/shop', 'tests/testloom/shop/../../../README.md', result.commitSha)).toEqual([]);
  expect((await host.readFiles('acme/shop', 'tests/testloom/shop/', result.commitSha)).map((f) => f.path).sort()).toEqual(FILES.map((f) => f.path).sort());
  expect(await host.readFiles('acme/unknown', 'README.md')).toEqual([]);
});

test('a branch name git would refuse is refused before it becomes a path', async () => {
  const repo = host.repositoryPath('acme/shop');
  const main = await git(repo, ['rev-parse', 'main']);
  for (const branch of ['../../config', 'testloom/../../HEAD', 'testloom//x', '.hidden', 'x.lock', 'a b', 'a~1', 'x.', 'a@{1}', '']) {
    await expect(updateBranch(repo, branch, main, EMPTY_OID)).rejects.toThrow(`not a valid branch name: ${JSON.stringify(branch)}`);
    await expect(host.commitFiles(request(FILES, branch))).rejects.toThrow('not a valid branch name');
  }
  expect(await git(repo, ['config', '--get', 'core.bare'])).toBe('false');
  expect(await git(repo, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/main');
});

describe('a new repository', () => {
  it('is one git itself reads as it reads one of its own: HEAD on main, Linux defaults, nothing left beside it', async () => {
    const dir = path.join(root, 'fresh', 'one');
    await initRepository(dir, 'main');
    expect(await git(dir, ['rev-parse', '--absolute-git-dir'])).toBe(path.join(dir, '.git'));
    expect(await git(dir, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/main');
    expect(await git(dir, ['config', '--bool', 'core.filemode'])).toBe('true');
    expect(await git(dir, ['config', '--bool', 'core.ignorecase']).catch(() => 'unset')).toBe('unset');
    await git(dir, ['fsck', '--strict']);
    expect(fs.readdirSync(path.join(root, 'fresh'))).toEqual(['one']);
  });

  it('created by several callers at once ends as one repository with one initial commit on main', async () => {
    const created = await Promise.all(Array.from({ length: 6 }, () => host.ensureRepository('acme/raced')));
    const dir = host.repositoryPath('acme/raced');
    expect(new Set(created)).toEqual(new Set([dir]));
    expect(await git(dir, ['rev-list', '--count', 'main'])).toBe('1');
    expect(await git(dir, ['show', 'main:README.md'])).toContain('acme/raced');
    expect(fs.readdirSync(path.join(root, 'acme')).filter((name) => name.startsWith('raced'))).toEqual(['raced']);
    await git(dir, ['fsck', '--strict']);
  });

  it('does not take over a directory that holds something else: the error names it, its files stay', async () => {
    const dir = path.join(root, 'fresh', 'occupied');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    await expect(initRepository(dir, 'main')).rejects.toThrow(`${dir} exists and is not a git repository`);
    expect(fs.readdirSync(dir)).toEqual(['notes.txt']);
    expect(fs.readdirSync(path.join(root, 'fresh')).filter((name) => name.startsWith('occupied'))).toEqual(['occupied']);
  });

  it('refuses an initial branch name git would refuse, creating nothing', async () => {
    await expect(initRepository(path.join(root, 'fresh', 'bad'), 'main..x')).rejects.toThrow('not a valid branch name');
    expect(fs.existsSync(path.join(root, 'fresh', 'bad'))).toBe(false);
  });
});
