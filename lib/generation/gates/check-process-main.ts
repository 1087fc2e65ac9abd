/**
 * Child-process side of check-process.ts: a suite's artifacts as one JSON line on stdin, its gate
 * result as one JSON line on stdout, for as long as stdin stays open.
 */
import readline from 'node:readline';
import { checkSuite } from './index';
import type { Artifact } from '../../core/run';

async function main(): Promise<void> {
  for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const result = await checkSuite(JSON.parse(line) as Artifact[]);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
