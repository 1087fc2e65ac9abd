/**
 * Records the execution histories bench/prioritisation.ts replays: for each sample API of the
 * effectiveness bench, testloom's generated suite is executed — for real, through the execute
 * stage's pipeline (executeSuite, RUNS_PER_EXECUTION runs each, flaky tests showing as such) —
 * against a sequence of revisions of the API. A few correct revisions come first; then each seeded
 * fault appears in a revision, persists for 2 to 5 executions as an unfixed regression does, and
 * is fixed. The sample APIs switch on one fault at a time, so regressions follow each other
 * instead of overlapping. Every execution starts a fresh API.
 *
 * Which operations a revision changed is not observable from a running API, so it is derived: the
 * operations a fault's description names (`POST /books …`; none when it names no endpoint) are
 * changed where the fault appears and where it is fixed, and each revision also touches 0–2 other
 * operations at random (refactorings that break nothing), seeded.
 *
 * Usage: tsx bench/prioritisation/record.ts [api …]   (default: every sample API; several minutes)
 */
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_APIS, type BenchApi } from '../effectiveness/apis';
import { runTestloom, sampleTarget } from '../effectiveness/testloom-run';
import { generateSpecSuite } from '../../lib/generation/spec-suite';
import { listOperations, type Operation } from '../../lib/openapi';
import { parseSpecDocument } from '../../lib/openapi/intake/document';
import { dereferenceSpec } from '../../lib/openapi/dereference';
import { suiteCases } from '../../lib/execution/suite-cases';
import type { TestStability } from '../../lib/execution';
import { hashSeed, mulberry32, type RecordedOutcome, type Random } from '../../lib/execution/prioritise';
import { encodeOutcomes, HISTORIES_DIR, type RecordedExecution, type RecordedHistory, type RecordedTest } from './history';

const RUNS_PER_EXECUTION = 3;
const REFERENCE_EXECUTIONS = 3;
const SCHEDULE_SEED = 'prioritisation-histories-v1';

interface Revision {
  fault?: string;
  changedOperations: Set<string>;
}

const testId = (file: string, fullName: string) => `${file}#${fullName}`;
const pick = <T>(items: readonly T[], random: Random): T => items[Math.floor(random() * items.length)];
const between = (low: number, high: number, random: Random) => low + Math.floor(random() * (high - low + 1));

/** The operations a fault's description names by method and path (`PATCH …/issues/{issueKey}` matches by its tail). */
function operationsNamed(description: string, operations: readonly Operation[]): string[] {
  const named = new Set<string>();
  for (const [, method, rawPath] of description.matchAll(/\b(GET|POST|PUT|PATCH|DELETE)\s+(\S+)/g)) {
    const wanted = rawPath.replace(/[?,:;)].*$/, '');
    const tail = wanted.startsWith('…') ? wanted.slice(1) : undefined;
    for (const op of operations) {
      if (op.method.toUpperCase() !== method) continue;
      if (tail ? op.path.endsWith(tail) : op.path === wanted) named.add(op.operationId);
    }
  }
  return [...named];
}

function schedule(api: BenchApi, operations: readonly Operation[]): Revision[] {
  const random = mulberry32(hashSeed(`${SCHEDULE_SEED}:${api.name}`));
  const operationIds = operations.map((op) => op.operationId);
  const unrelated = (count: number) => new Set(Array.from({ length: count }, () => pick(operationIds, random)));
  const faults = Object.keys(api.faults);
  for (let i = faults.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [faults[i], faults[j]] = [faults[j], faults[i]];
  }
  const revisions: Revision[] = Array.from({ length: REFERENCE_EXECUTIONS }, () => ({ changedOperations: unrelated(between(0, 2, random)) }));
  let fixed: string[] = [];
  for (const fault of faults) {
    if (random() < 0.4) {
      revisions.push({ changedOperations: new Set([...fixed, ...unrelated(between(0, 2, random))]) });
      fixed = [];
    }
    const faultOperations = operationsNamed(api.faults[fault], operations);
    const persists = between(2, 5, random);
    for (let k = 0; k < persists; k++) {
      const touched = k === 0 ? [...fixed, ...faultOperations, ...unrelated(between(0, 1, random))] : [...unrelated(between(0, 2, random))];
      revisions.push({ fault, changedOperations: new Set(touched) });
    }
    fixed = faultOperations;
  }
  revisions.push({ changedOperations: new Set([...fixed, ...unrelated(between(0, 2, random))]) });
  return revisions;
}

function outcomeOf(test: TestStability | undefined): RecordedOutcome {
  if (!test) return 'skipped';
  if (test.stability === 'stable-pass') return 'passed';
  if (test.stability === 'stable-fail') return 'failed';
  return test.stability === 'flaky' ? 'flaky' : 'skipped';
}

async function recordApi(sample: BenchApi): Promise<RecordedHistory> {
  const api = await dereferenceSpec(parseSpecDocument(fs.readFileSync(sample.specPath, 'utf8'), 'spec').document);
  const operations = listOperations(api);
  const outDir = `tests/testloom/${sample.name}`;
  const suite = generateSpecSuite({ api, specId: sample.name, outDir });
  const cases = suiteCases(suite.cases.map((c) => ({ caseId: c.id, kind: c.kind, title: c.title, operationId: c.operationId, file: c.file })), outDir, 'jest');
  const revisions = schedule(sample, operations);
  console.log(`${sample.name}: ${cases.length} cases, ${operations.length} operations, ${revisions.length} executions × ${RUNS_PER_EXECUTION} runs`);

  const runs: TestStability[][] = [];
  for (const [index, revision] of revisions.entries()) {
    const running = await sample.start(revision.fault);
    try {
      const { execution, ms } = await runTestloom(suite.artifacts, api, cases, sampleTarget(sample, running.baseUrl, false), RUNS_PER_EXECUTION);
      runs.push(execution.report.tests);
      const failing = execution.report.tests.filter((t) => t.stability !== 'stable-pass').length;
      console.log(`  #${index + 1} ${revision.fault ?? '(correct)'}: ${failing} not passing (${(ms / 1000).toFixed(1)} s)`);
    } finally {
      await running.close();
    }
  }

  // Every test any execution reported, in file order (then as generated; cases the runs never reported are left out).
  const reported = new Map(runs.flat().map((t) => [testId(t.file, t.fullName), t]));
  const caseIndex = new Map(cases.map((c, i) => [testId(c.file, c.fullName), i]));
  const operationOf = new Map(cases.map((c) => [testId(c.file, c.fullName), c.operationId]));
  const tests: RecordedTest[] = [...reported.values()]
    .map((t) => ({ id: testId(t.file, t.fullName), file: t.file, fullName: t.fullName, operationId: operationOf.get(testId(t.file, t.fullName)) }))
    .sort((a, b) => a.file.localeCompare(b.file) || (caseIndex.get(a.id) ?? Infinity) - (caseIndex.get(b.id) ?? Infinity) || a.id.localeCompare(b.id));

  const outcomesOf = (execution: TestStability[]) => {
    const byId = new Map(execution.map((t) => [testId(t.file, t.fullName), t]));
    return tests.map((t) => outcomeOf(byId.get(t.id)));
  };
  const reference = runs.slice(0, REFERENCE_EXECUTIONS).map(outcomesOf);
  const referencePasses = new Set(tests.filter((_, k) => reference.every((outcomes) => outcomes[k] === 'passed')).map((t) => t.id));
  const executions: RecordedExecution[] = revisions.map((revision, i) => {
    const outcomes = outcomesOf(runs[i]);
    const detectors = tests.filter((t, k) => (outcomes[k] === 'failed' || outcomes[k] === 'flaky') && referencePasses.has(t.id)).map((t) => t.id);
    return {
      sequence: i + 1,
      ...(revision.fault ? { fault: revision.fault } : {}),
      changedOperations: [...revision.changedOperations].sort(),
      outcomes: encodeOutcomes(outcomes),
      detectedBy: revision.fault ? { [revision.fault]: detectors } : {},
    };
  });
  return {
    api: sample.name,
    provenance: `recorded ${new Date().toISOString().slice(0, 10)} by bench/prioritisation/record.ts: testloom's deterministic suite for ${path.basename(path.dirname(sample.specPath))}/spec.yaml executed (executeSuite, ${RUNS_PER_EXECUTION} runs per execution) against ${revisions.length} revisions of the sample API, seeded faults appearing and persisting 2–5 executions; changed operations derived from the fault descriptions plus random unrelated ones`,
    runsPerExecution: RUNS_PER_EXECUTION,
    tests,
    faults: Object.fromEntries(revisions.filter((r) => r.fault).map((r) => [r.fault as string, sample.faults[r.fault as string]])),
    executions,
  };
}

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const chosen = names.length ? BENCH_APIS.filter((a) => names.includes(a.name)) : BENCH_APIS;
  if (!chosen.length) throw new Error(`no sample API named ${names.join(', ')}; there are ${BENCH_APIS.map((a) => a.name).join(', ')}`);
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  for (const sample of chosen) {
    const history = await recordApi(sample);
    const file = path.join(HISTORIES_DIR, `${sample.name}.json`);
    fs.writeFileSync(file, `${JSON.stringify(history, null, 1)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
