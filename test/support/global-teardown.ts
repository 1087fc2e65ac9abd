import fs from 'node:fs';
import type { ChromaServer } from '../../lib/retrieval/chroma-server';
import type { DevServer } from '../../lib/temporal/dev-server';

export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as Record<string, unknown>;
  await (globals.__testloomChroma as ChromaServer | undefined)?.stop();
  await (globals.__testloomDevServer as DevServer | undefined)?.stop();
  if (typeof globals.__testloomTmp === 'string') fs.rmSync(globals.__testloomTmp, { recursive: true, force: true });
  // What tests left in the run's temporary root (test/support/memory-tmpdir.ts): it is memory.
  if (typeof globals.__testloomTmpRoot === 'string') fs.rmSync(globals.__testloomTmpRoot, { recursive: true, force: true });
}
