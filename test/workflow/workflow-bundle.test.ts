/**
 * The workflow bundle kept in the data directory (workers/workflow-bundle.ts): built once, reused
 * while every file it was built from is unchanged, rebuilt when one changed or went missing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { workflowBundle } from '../../workers/workflow-bundle';

let cacheDir: string;

beforeAll(() => {
  cacheDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-bundle-')), 'cache');
});

afterAll(() => fs.rmSync(path.dirname(cacheDir), { recursive: true, force: true }));

const manifestPath = () => path.join(cacheDir, 'workflow-bundle.json');
const readManifest = () => JSON.parse(fs.readFileSync(manifestPath(), 'utf8')) as { files: Record<string, string>; sdkVersion: string };

test('built once, then reused while its sources are unchanged', async () => {
  const first = await workflowBundle(cacheDir);
  expect(first.reused).toBe(false);
  const code = fs.readFileSync(first.codePath, 'utf8');
  expect(code).toContain('generateTests');
  const files = Object.keys(readManifest().files);
  expect(files).toEqual(expect.arrayContaining([path.resolve(__dirname, '../../workflows/index.ts')]));
  expect(files.some((file) => file.includes(`${path.sep}@temporalio${path.sep}workflow${path.sep}`))).toBe(true);

  const second = await workflowBundle(cacheDir);
  expect(second).toEqual({ codePath: first.codePath, reused: true });
  expect(fs.readdirSync(cacheDir).sort()).toEqual(['workflow-bundle.js', 'workflow-bundle.json']);
});

test('a source whose content differs from the manifest, or another SDK version, makes it build again', async () => {
  const manifest = readManifest();
  const source = path.resolve(__dirname, '../../workflows/index.ts');
  fs.writeFileSync(manifestPath(), JSON.stringify({ ...manifest, files: { ...manifest.files, [source]: 'a hash of other content' } }));
  expect((await workflowBundle(cacheDir)).reused).toBe(false);
  expect(readManifest().files[source]).toBe(manifest.files[source]);

  fs.writeFileSync(manifestPath(), JSON.stringify({ ...manifest, sdkVersion: '0.0.1' }));
  fs.rmSync(path.join(cacheDir, 'workflow-bundle.js'));
  expect((await workflowBundle(cacheDir)).reused).toBe(false);
  expect((await workflowBundle(cacheDir)).reused).toBe(true);

  fs.appendFileSync(path.join(cacheDir, 'workflow-bundle.js'), '\n// changed by hand\n');
  expect((await workflowBundle(cacheDir)).reused).toBe(false);
  expect(fs.readFileSync(path.join(cacheDir, 'workflow-bundle.js'), 'utf8')).not.toContain('changed by hand');
});

test('a cache directory it cannot write to: the bundle still comes, from a temporary file', async () => {
  const blocked = path.join(path.dirname(cacheDir), 'not-a-directory');
  fs.writeFileSync(blocked, 'a file where the cache directory should be');
  const bundle = await workflowBundle(path.join(blocked, 'cache'));
  expect(bundle.reused).toBe(false);
  expect(path.basename(path.dirname(bundle.codePath))).toMatch(/^testloom-workflows-/);
  expect(fs.readFileSync(bundle.codePath, 'utf8')).toContain('generateTests');
  fs.rmSync(path.dirname(bundle.codePath), { recursive: true, force: true });
});
