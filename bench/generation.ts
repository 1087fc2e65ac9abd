/**
 * What generation costs per spec, next to a baseline in the same run. Prints, for Petstore and a
 * larger real-world spec (ReadMe's API, 36 operations), for Jest and pytest:
 *   - deterministic generation time (median of N) and the cases and files it produced;
 *   - the quality gates in their child process (median of N), and that time as a multiple of
 *     spawning the same child with nothing to check (the baseline: process start + TypeScript load).
 * Usage: tsx bench/generation.ts [repetitions=3]
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../lib/config';
import { checkSuiteInChildProcess } from '../lib/generation/gates/check-process';
import { generateSpecSuite } from '../lib/generation/spec-suite';
import { FRAMEWORKS } from '../lib/core/frameworks';
import { parseSpecDocument } from '../lib/openapi/intake/document';
import { dereferenceSpec } from '../lib/openapi/dereference';
import { quantile } from './stats';

const SPECS = [
  ['petstore', path.join(PROJECT_ROOT, 'examples/petstore.yaml')],
  ['readme-legacy', path.join(PROJECT_ROOT, 'test/fixtures/specs/readme-legacy.json')],
] as const;

async function timed<T>(work: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

async function median(repetitions: number, work: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repetitions; i++) times.push((await timed(work)).ms);
  return quantile(times, 0.5);
}

async function main(): Promise<void> {
  const repetitions = Number(process.argv[2] ?? 3);
  const baseline = await median(repetitions, () => checkSuiteInChildProcess([]));
  console.log(`baseline: gate child process with nothing to check ${baseline.toFixed(0)} ms (median of ${repetitions})\n`);
  console.log('spec           framework  operations  cases  files  generate ms  gates ms  gates / baseline');
  for (const [name, file] of SPECS) {
    const text = fs.readFileSync(file, 'utf8');
    const api = await dereferenceSpec(parseSpecDocument(text, 'spec').document);
    for (const framework of FRAMEWORKS) {
      const generate = () => generateSpecSuite({ api, specId: name, outDir: `tests/${name}`, framework });
      const suite = generate();
      const generateMs = await median(repetitions, generate);
      const gatesMs = await median(repetitions, () => checkSuiteInChildProcess(suite.artifacts));
      const failed = (await checkSuiteInChildProcess(suite.artifacts)).failed.length;
      const operations = new Set(suite.cases.map((c) => c.operationId)).size;
      console.log(
        `${name.padEnd(14)} ${framework.padEnd(10)} ${String(operations).padStart(10)}  ${String(suite.cases.length).padStart(5)}  ${String(suite.artifacts.length).padStart(5)}  ${generateMs.toFixed(0).padStart(11)}  ${gatesMs.toFixed(0).padStart(8)}  ${(gatesMs / baseline).toFixed(2).padStart(16)}x${failed ? `  (${failed} gate failures!)` : ''}`,
      );
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
