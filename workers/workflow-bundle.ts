/**
 * The workflow bundle a worker runs, built once per checkout and kept in the data directory: a
 * worker that starts again with the same sources (and the same SDK) loads the bundle instead of
 * running webpack. A manifest beside it lists every file the build read with its hash; any change
 * to one of them, or to the SDK version, rebuilds it. Built in a child process, so webpack's
 * memory is not kept by the worker process.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../lib/observability/temporal-tracing';
import { runHelperProcess } from '../lib/process/child';

const WORKFLOWS_PATH = require.resolve('../workflows');
const SDK_VERSION = (JSON.parse(fs.readFileSync(require.resolve('@temporalio/worker/package.json'), 'utf8')) as { version: string }).version;

interface BundleInputs {
  sdkVersion: string;
  workflowsPath: string;
  interceptorModules: string[];
}

interface Manifest extends BundleInputs {
  /** Every file the build read, and the bundle itself → its SHA-256. */
  files: Record<string, string>;
}

export interface WorkflowBundle {
  codePath: string;
  /** True when an earlier build was still current. */
  reused: boolean;
}

function sha256(file: string): string | undefined {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return undefined; // gone: the bundle is stale
  }
}

function readManifest(file: string): Manifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/** Every file it was built from unchanged, and the bundle itself as written (its own entry in `files`). */
function isCurrent(manifest: Manifest | undefined, inputs: BundleInputs): boolean {
  if (!manifest) return false;
  const built = [manifest.sdkVersion, manifest.workflowsPath, manifest.interceptorModules];
  if (JSON.stringify(built) !== JSON.stringify([inputs.sdkVersion, inputs.workflowsPath, inputs.interceptorModules])) return false;
  return Object.entries(manifest.files).every(([file, hash]) => sha256(file) === hash);
}

async function bundleInChildProcess(inputs: BundleInputs): Promise<{ code: string; files: string[] }> {
  const args = [JSON.stringify([inputs.workflowsPath, inputs.interceptorModules])];
  const { message } = await runHelperProcess<{ code: string; files: string[] }>(path.join(__dirname, 'bundle-workflows.js'), args, 'bundling the workflows');
  if (!message) throw new Error('bundling the workflows ended without a bundle');
  return message;
}

/** Written beside its final name and renamed: a reader, or another process building at the same time, never sees half a file. */
function writeAtomically(file: string, content: string): void {
  const partial = `${file}.${process.pid}.partial`;
  fs.writeFileSync(partial, content);
  fs.renameSync(partial, file);
}

/** The current workflow bundle in `cacheDir`, built first if there is none or it is stale. */
export async function workflowBundle(cacheDir: string): Promise<WorkflowBundle> {
  const codePath = path.join(cacheDir, 'workflow-bundle.js');
  const manifestPath = path.join(cacheDir, 'workflow-bundle.json');
  const inputs: BundleInputs = { sdkVersion: SDK_VERSION, workflowsPath: WORKFLOWS_PATH, interceptorModules: WORKFLOW_INTERCEPTOR_MODULES };
  if (isCurrent(readManifest(manifestPath), inputs)) return { codePath, reused: true };

  const { code, files } = await bundleInChildProcess(inputs);
  const hashes = Object.fromEntries(files.flatMap((file) => {
    const hash = sha256(file);
    return hash ? [[file, hash]] : []; // a directory webpack looked in, not a file it read
  }));
  hashes[codePath] = createHash('sha256').update(code).digest('hex');
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    writeAtomically(codePath, code);
    writeAtomically(manifestPath, JSON.stringify({ ...inputs, files: hashes } satisfies Manifest));
    return { codePath, reused: false };
  } catch {
    // A data directory we may not write to: this start runs the bundle from a temporary file, unkept.
    const fallback = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-workflows-')), 'workflow-bundle.js');
    fs.writeFileSync(fallback, code);
    return { codePath: fallback, reused: false };
  }
}
