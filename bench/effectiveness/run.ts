/**
 * Seeded faults: does a generated suite fail where the correct API passes? The bookstore of
 * spec.yaml (sample-api.ts) runs once correct and once per seeded fault (faults.ts), each time
 * fresh; testloom's deterministic suite (plus model-planned scenarios when a model answers) and
 * Schemathesis run against it, both through testloom's recording proxy, so one piece of code
 * measures both tools' coverage. Prints per fault whether each tool detected it, then faults
 * detected / total, tests failing on the correct API, coverage and each tool's wall time.
 * Usage: tsx bench/effectiveness/run.ts [fault …]   (default: every fault of faults.ts)
 */
import fs from 'node:fs';
import path from 'node:path';
import { generateSpecSuite } from '../../lib/generation/spec-suite';
import { listOperations } from '../../lib/openapi';
import { parseSpecDocument } from '../../lib/openapi/intake/document';
import { dereferenceSpec } from '../../lib/openapi/dereference';
import type { CoverageFigure, CoverageReport } from '../../lib/execution';
import { measureCoverage } from '../../lib/execution';
import { FAULT_NAMES, FAULTS, type FaultName } from './faults';
import { modelScenarios, SCENARIO_FILE } from './model-scenarios';
import { SAMPLE_API_TOKEN, startSampleApi } from './sample-api';
import { ensureSchemathesis, failureKey, runSchemathesis, type SchemathesisRun } from './schemathesis';
import { newFindings, newlyFailing, runTestloom, sampleTarget, type TestloomRun } from './testloom-run';
import { suiteCases } from '../../lib/execution/suite-cases';

const SPEC_PATH = path.join(__dirname, 'spec.yaml');
const SPEC_ID = 'bookstore';
const OUT_DIR = 'tests/testloom/bookstore';
const CORRECT_RUNS = 3;
const FAULT_RUNS = 1;
const SHOWN = 3;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const yesNo = (value: boolean) => (value ? 'yes' : 'NO');
const figure = (f: CoverageFigure) => `${f.covered}/${f.total}${f.percent === null ? '' : ` (${f.percent}%)`}`;
const firstLine = (text: string | undefined) => (text ?? '').split('\n').find((line) => line.trim())?.trim() ?? '';
const isScenario = (file: string) => path.posix.basename(file) === SCENARIO_FILE;

async function withApi<T>(fault: FaultName | undefined, work: (baseUrl: string) => Promise<T>): Promise<T> {
  const api = await startSampleApi({ fault });
  try {
    return await work(api.baseUrl);
  } finally {
    await api.close();
  }
}

function parseFaults(args: string[]): FaultName[] {
  const unknown = args.filter((arg) => !(FAULT_NAMES as string[]).includes(arg));
  if (unknown.length) throw new Error(`unknown fault ${unknown.join(', ')}; faults: ${FAULT_NAMES.join(', ')}`);
  return args.length ? (args as FaultName[]) : FAULT_NAMES;
}

function unexercisedStatuses(coverage: CoverageReport): string {
  const missing = coverage.byOperation.flatMap((op) => op.statuses.filter((s) => !s.exercised).map((s) => `${op.operationId} ${s.status}`));
  return missing.length ? missing.join(', ') : 'none';
}

function undocumentedStatuses(coverage: CoverageReport): string {
  const answered = coverage.byOperation.filter((op) => op.undocumentedStatuses.length).map((op) => `${op.operationId} ${op.undocumentedStatuses.join('/')}`);
  return answered.length ? answered.join(', ') : 'none';
}

interface FaultResult {
  fault: FaultName;
  deterministic: string[];
  withModel: string[];
  schemathesis: string[];
}

async function main(): Promise<void> {
  const started = performance.now();
  const faults = parseFaults(process.argv.slice(2));
  const api = await dereferenceSpec(parseSpecDocument(fs.readFileSync(SPEC_PATH, 'utf8'), 'spec').document);
  const operations = listOperations(api);
  const generated = performance.now();
  const suite = generateSpecSuite({ api, specId: SPEC_ID, outDir: OUT_DIR });
  const generateMs = performance.now() - generated;
  console.log(`effectiveness: ${path.relative(process.cwd(), SPEC_PATH)}, ${operations.length} operations, ${faults.length} seeded faults, one fresh API per tool and round`);

  const modelStarted = performance.now();
  const model = await modelScenarios(api, SPEC_ID, OUT_DIR);
  const withModel = 'artifact' in model;
  const files = [...suite.artifacts, ...(withModel ? [model.artifact] : [])];
  const cases = suiteCases(suite.cases.map((c) => ({ caseId: c.id, kind: c.kind, title: c.title, operationId: c.operationId, file: c.file })), OUT_DIR, 'jest');
  console.log(withModel
    ? `model: ${model.model}, ${model.scenarios} scenario tests in ${SCENARIO_FILE} (${seconds(performance.now() - modelStarted)})${model.notes.length ? `; ${model.notes.join(' ')}` : ''}`
    : `model: not configured/unavailable (${model.unavailable}); deterministic suite only`);
  console.log(`testloom: ${suite.cases.length} deterministic cases in ${suite.artifacts.filter((a) => a.kind === 'test').length} files, generated in ${generateMs.toFixed(0)} ms; notes: ${suite.notes.length ? suite.notes.join('; ') : 'none'}`);

  const installStarted = performance.now();
  const st = await ensureSchemathesis();
  console.log(`schemathesis ${st.version} (${st.installedNow ? `installed into .venv in ${seconds(performance.now() - installStarted)}` : 'already in .venv'})`);
  console.log(`runs: testloom ${CORRECT_RUNS}× on the correct API (flaky tests show), ${FAULT_RUNS}× per fault; schemathesis once each (fixed seed)`);
  console.log('detected: testloom when a test that passed in every run on the correct API fails, or a passing test newly reports a possible API defect (an answer contradicting the spec); schemathesis when its report names a (check, operation) failure its run on the correct API did not\n');

  const target = (baseUrl: string) => sampleTarget(baseUrl, withModel);
  let testloomMs = 0;
  let schemathesisMs = 0;
  const correct: TestloomRun = await withApi(undefined, (baseUrl) => runTestloom(files, api, cases, target(baseUrl), CORRECT_RUNS));
  testloomMs += correct.ms;
  const correctSt: SchemathesisRun = await withApi(undefined, (baseUrl) => runSchemathesis(SPEC_PATH, target(baseUrl), SAMPLE_API_TOKEN));
  schemathesisMs += correctSt.ms;
  console.log(`schemathesis command: ${correctSt.command}`);
  const tests = correct.execution.report.tests;
  const stability = { tests, stablePasses: tests.filter((t) => t.stability === 'stable-pass'), stableFailures: tests.filter((t) => t.stability === 'stable-fail'), flaky: tests.filter((t) => t.stability === 'flaky') };
  const fileErrors = correct.execution.report.runs.flatMap((run) => run.fileErrors);
  console.log(`correct API, testloom: ${stability.tests.length} tests, ${stability.stablePasses.length} passed in all ${CORRECT_RUNS} runs, ${stability.stableFailures.length} failed in all, ${stability.flaky.length} flaky${fileErrors.length ? `, ${fileErrors.length} file errors` : ''} (${seconds(correct.ms)})`);
  for (const test of [...stability.stableFailures, ...stability.flaky]) {
    console.log(`  ${test.stability} [${test.outcomes.join(' ')}] ${test.fullName}: ${firstLine(test.failureMessage)}`);
  }
  for (const error of fileErrors) console.log(`  file error ${error.file}: ${firstLine(error.message)}`);
  for (const defect of correct.execution.summary.apiDefects) console.log(`  possible API defect reported on the correct API: ${defect.fullName}: ${defect.reasons[0]}`);
  const correctFailures = new Set(correctSt.failures.map(failureKey));
  console.log(`correct API, schemathesis: ${correctSt.testCases} test cases, ${correctSt.failures.length} failures (exit ${correctSt.exitCode}, ${seconds(correctSt.ms)})`);
  for (const key of correctFailures) console.log(`  ${key}`);
  for (const error of correctSt.errors) console.log(`  run error: ${firstLine(error)}`);

  const columns = withModel ? `${'testloom'.padEnd(18)}${'+model'.padEnd(8)}schemathesis` : `${'testloom'.padEnd(20)}schemathesis`;
  console.log(`\n${'fault'.padEnd(26)}${columns}`);
  const results: FaultResult[] = [];
  for (const fault of faults) {
    const tl = await withApi(fault, (baseUrl) => runTestloom(files, api, cases, target(baseUrl), FAULT_RUNS));
    testloomMs += tl.ms;
    const stRun = await withApi(fault, (baseUrl) => runSchemathesis(SPEC_PATH, target(baseUrl), SAMPLE_API_TOKEN));
    schemathesisMs += stRun.ms;
    const failing = newlyFailing(correct.execution, tl.execution);
    const findings = newFindings(correct.execution, tl.execution);
    const result: FaultResult = {
      fault,
      deterministic: [...failing.filter((t) => !isScenario(t.file)).map((t) => t.fullName), ...findings],
      withModel: [...failing.map((t) => t.fullName), ...findings],
      schemathesis: [...new Set(stRun.failures.map(failureKey))].filter((key) => !correctFailures.has(key)),
    };
    results.push(result);
    const tlCell = `${yesNo(result.deterministic.length > 0)} ${String(result.deterministic.length).padStart(2)}/${tl.execution.report.tests.length} tests`;
    const modelCell = withModel ? `${yesNo(result.withModel.length > 0).padEnd(8)}` : '';
    const stCell = `${yesNo(result.schemathesis.length > 0)} ${result.schemathesis.length} new failure${result.schemathesis.length === 1 ? '' : 's'}`;
    console.log(`${fault.padEnd(26)}${tlCell.padEnd(withModel ? 18 : 20)}${modelCell}${stCell}   (${seconds(tl.ms)} / ${seconds(stRun.ms)})`);
    console.log(`    bug: ${FAULTS[fault]}`);
    const shown = (names: string[]) => `${names.slice(0, SHOWN).join('; ')}${names.length > SHOWN ? `; … ${names.length - SHOWN} more` : ''}`;
    if (result.withModel.length) console.log(`    testloom: ${shown(result.withModel)}`);
    if (result.schemathesis.length) console.log(`    schemathesis: ${shown(result.schemathesis)}`);
    const stErrors = stRun.errors.filter((e) => !correctSt.errors.includes(e));
    if (stErrors.length) console.log(`    schemathesis run errors: ${stErrors.map(firstLine).join('; ')}`);
  }

  const stCoverage = measureCoverage(operations, correctSt.exchanges);
  // Coverage of the suite as the execute stage would deliver it (flaky tests left out).
  const tlCoverage = correct.execution.report.coverage;
  const count = (pick: (r: FaultResult) => string[]) => `${results.filter((r) => pick(r).length).length}/${results.length}`;
  const missed = (pick: (r: FaultResult) => string[]) => results.filter((r) => !pick(r).length).map((r) => r.fault).join(', ') || 'none';
  const rows: [string, string, string?][] = [
    ['faults detected', count((r) => r.deterministic), count((r) => r.schemathesis)],
    ['tests failing on correct API', `${stability.stableFailures.length} (+${stability.flaky.length} flaky, left out)`, `${correctFailures.size} failures`],
    ['API defects on correct API', String(correct.execution.summary.apiDefects.length), '–'],
    ['coverage: operations', figure(tlCoverage.operations), figure(stCoverage.operations)],
    ['  documented status codes', figure(tlCoverage.statusCodes), figure(stCoverage.statusCodes)],
    ['  parameters', figure(tlCoverage.parameters), figure(stCoverage.parameters)],
    ['  request-body properties', figure(tlCoverage.requestBodyProperties), figure(stCoverage.requestBodyProperties)],
    ['requests on the correct API', String(correct.execution.report.exchanges.length / CORRECT_RUNS), String(correctSt.exchanges.length)],
    ['wall time', `${seconds(testloomMs)} (${CORRECT_RUNS}+${results.length} runs)`, `${seconds(schemathesisMs)} (${1 + results.length} runs)`],
  ];
  console.log(`\n${'totals'.padEnd(32)}${'testloom (deterministic)'.padEnd(28)}schemathesis`);
  for (const [label, tl, stValue] of rows) console.log(`${label.padEnd(32)}${tl.padEnd(28)}${stValue ?? ''}`);
  if (withModel) console.log(`${'faults detected, with model'.padEnd(32)}${count((r) => r.withModel)}`);
  console.log(`missed by testloom: ${missed((r) => r.deterministic)}`);
  if (withModel) console.log(`missed by testloom with model: ${missed((r) => r.withModel)}`);
  console.log(`missed by schemathesis: ${missed((r) => r.schemathesis)}`);
  console.log(`documented statuses never answered (correct API): testloom ${unexercisedStatuses(tlCoverage)}; schemathesis ${unexercisedStatuses(stCoverage)}`);
  console.log(`undocumented statuses answered (correct API): testloom ${undocumentedStatuses(tlCoverage)}; schemathesis ${undocumentedStatuses(stCoverage)}`);
  console.log(`requests matching no documented operation (correct API): testloom ${tlCoverage.unmatchedRequests.length}, schemathesis ${stCoverage.unmatchedRequests.length}`);
  console.log(`elapsed: ${seconds(performance.now() - started)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
