import fs from 'node:fs';
import path from 'node:path';
import type { ChromaServer } from '../../lib/retrieval/chroma-server';
import type { DevServer } from '../../lib/temporal/dev-server';

export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as Record<string, unknown>;
  await (globals.__testloomChroma as ChromaServer | undefined)?.stop();
  await (globals.__testloomDevServer as DevServer | undefined)?.stop();
  if (typeof globals.__testloomTmp === 'string') {
    keepServiceLogs(globals.__testloomTmp, process.env.TESTLOOM_TEST_KEEP_LOGS);
    fs.rmSync(globals.__testloomTmp, { recursive: true, force: true });
  }
  // What tests left in the run's temporary root (test/support/memory-tmpdir.ts): it is memory.
  if (typeof globals.__testloomTmpRoot === 'string') fs.rmSync(globals.__testloomTmpRoot, { recursive: true, force: true });
}

/** The shared Temporal and Chroma servers' logs, copied where TESTLOOM_TEST_KEEP_LOGS points (CI keeps them in .test-logs/). */
function keepServiceLogs(dir: string, keepIn: string | undefined): void {
  if (!keepIn) return;
  fs.mkdirSync(keepIn, { recursive: true });
  for (const name of ['temporal.log', 'chroma.log']) {
    if (fs.existsSync(path.join(dir, name))) fs.copyFileSync(path.join(dir, name), path.join(keepIn, name));
  }
}
