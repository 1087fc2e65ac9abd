/**
 * One real Temporal dev server (in memory, headless), one real Chroma server, one workflow bundle
 * and one migrated PGlite directory (copied by each harness) for the whole test run; each test file
 * isolates itself with its own task queue, its own database and its own repository names (one
 * Chroma collection per repository).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTemporalConfig } from '../../lib/config/temporal-config';
import { PROJECT_ROOT } from '../../lib/config/env';
import { requireTemporalCli } from '../../lib/temporal/cli';
import { ensureDevServer, type DevServer } from '../../lib/temporal/dev-server';
import { freePort } from '../../lib/net/free-port';
import { ensureChromaServer, type ChromaServer } from '../../lib/retrieval/chroma-server';
import { workflowBundle } from '../../workers/workflow-bundle';
import { createPgliteTemplate } from './databases';
import { useMemoryTmpdir } from './memory-tmpdir';

export default async function globalSetup(): Promise<void> {
  (globalThis as Record<string, unknown>).__testloomTmpRoot = useMemoryTmpdir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-jest-'));
  (globalThis as Record<string, unknown>).__testloomTmp = dir;
  // Independent of each other: started together (the dev server and Chroma wait on their processes, the bundle and the migrations on the CPU).
  const [server, bundlePath, chroma, pgliteTemplate] = await Promise.all([
    startTemporal(dir),
    bundleWorkflows(dir),
    startChroma(dir),
    // Migrated once: each harness copies it (test/support/databases.ts seedPglite) instead of migrating a fresh directory.
    createPgliteTemplate(path.join(dir, 'pglite-template')),
  ]);
  (globalThis as Record<string, unknown>).__testloomDevServer = server;
  (globalThis as Record<string, unknown>).__testloomChroma = chroma;

  // JSON logs at warn unless asked for: info would print every request and stage of every test.
  process.env.TESTLOOM_LOG_LEVEL ??= 'warn';
  process.env.TESTLOOM_TEST_TEMPORAL_ADDRESS = server.address;
  process.env.TESTLOOM_TEST_CHROMA_URL = chroma.url;
  process.env.TESTLOOM_TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.TESTLOOM_TEST_PGLITE_TEMPLATE = pgliteTemplate;
}

async function startTemporal(dir: string): Promise<DevServer> {
  const cli = requireTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH || undefined, projectRoot: PROJECT_ROOT });
  const settings = loadTemporalConfig(path.join(PROJECT_ROOT, 'temporal.yaml'));
  const port = await freePort();
  return ensureDevServer({
    cliPath: cli.path,
    address: `127.0.0.1:${port}`,
    namespace: 'default',
    uiPort: port + 1000,
    headless: true,
    logFile: path.join(dir, 'temporal.log'),
    searchAttributes: settings.searchAttributes,
  });
}

async function startChroma(dir: string): Promise<ChromaServer> {
  return ensureChromaServer({ url: `http://127.0.0.1:${await freePort()}`, dataDir: path.join(dir, 'chroma'), logFile: path.join(dir, 'chroma.log') });
}

/** The product's own bundle cache (workers/workflow-bundle.ts): harnesses run its code; `up` tests that start "as a second time" copy the cache. */
async function bundleWorkflows(dir: string): Promise<string> {
  return (await workflowBundle(path.join(dir, 'workflow-cache'))).codePath;
}
