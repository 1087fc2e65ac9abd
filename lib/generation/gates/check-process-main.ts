/** Child-process side of check-process.ts: artifacts as JSON on stdin, the gate result as JSON on stdout. */
import { checkSuite } from './index';
import type { Artifact } from '../../core/run';

async function main(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const result = await checkSuite(JSON.parse(input) as Artifact[]);
  process.stdout.write(JSON.stringify(result));
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
