import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TYPESCRIPT_LOADER } from '../support/testloom-processes';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

/** The real worker entry point, as `testloom worker` or a deployment would start it. */
async function startWorker(env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [...TYPESCRIPT_LOADER, 'workers/main.ts'], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('worker start-up without the embedding weights', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-noweights-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['offline', { TESTLOOM_MODELS_OFFLINE: '1' }, undefined],
    // A hub address where nothing listens, so the download fails on any machine.
    ['online, hub unreachable', { TESTLOOM_MODELS_OFFLINE: '0', HF_HUB_OFFLINE: '0', HF_ENDPOINT: 'http://127.0.0.1:9' }, 'downloading it failed'],
  ])('stops at once with a message that says how to get them (%s)', async (_name, env, downloadNote) => {
    const modelDir = path.join(dir, 'models');
    const result = await startWorker({
      ...env,
      TESTLOOM_MODEL_DIR: modelDir,
      TESTLOOM_DATA_DIR: path.join(dir, 'data'),
      TEMPORAL_ADDRESS: process.env.TESTLOOM_TEST_TEMPORAL_ADDRESS!,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('polling');
    expect(result.stderr).toContain(`embedding model Xenova/all-MiniLM-L6-v2 is not in ${path.join(modelDir, 'Xenova', 'all-MiniLM-L6-v2')}`);
    expect(result.stderr).toContain('missing: config.json, tokenizer.json, tokenizer_config.json, onnx/model_quantized.onnx');
    expect(result.stderr).toContain('bash infra/setup.sh');
    if (downloadNote) expect(result.stderr).toContain(downloadNote);
    // Nothing was started or stored: the database is never opened.
    expect(fs.existsSync(path.join(dir, 'data', 'pglite'))).toBe(false);
  });
});
