import fs from 'node:fs';
import path from 'node:path';
import { generateSpecSuite } from '../../lib/generation/spec-suite';
import { listOperations } from '../../lib/openapi';
import { parseSpecDocument } from '../../lib/openapi/intake/document';
import { dereferenceSpec } from '../../lib/openapi/dereference';
import type { CoverageFigure, CoverageReport } from '../../lib/execution';
import { measureCoverage } from '../../lib/execution';
import { suiteCases } from '../../lib/execution/suite-cases';
import type { BenchApi } from './apis';
import { modelScenarios, SCENARIO_FILE } from './model-scenarios';
import { failureKey, runSchemathesis, type SchemathesisRun } from './schemathesis';
import { newFindings, newlyFailing, runTestloom, sampleTarget, type TestloomRun } from './testloom-run';

/**
 * One sample API of the bench: testloom's suite generated from its spec, then testloom and
 * Schemathesis run against the correct API and against each seeded fault (one fresh API per tool
 * and round, both through testloom's recording proxy). Prints the per-fault detail and the API's
 * totals, and returns the figures the bench sums over every API.
 */

export const CORRECT_RUNS = 3;
export const FAULT_RUNS = 1;
const SHOWN = 3;

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const figure = (f: CoverageFigure) => `${f.covered}/${f.total}${f.percent === null ? '' : ` (${f.percent}%)`}`;
const yesNo = (value: boolean) => (value ? 'yes' : 'NO');
const firstLine = (text: string | undefined) => (text ?? '').split('\n').find((line) => line.trim())?.trim() ?? '';
const isScenario = (file: string) => path.posix.basename(file) === SCENARIO_FILE;

/** One tool's figures on one API. */
export interface ToolFigures {
  detected: number;
  /** Tests (testloom) or (check, operation) failures (Schemathesis) on the correct API. */
  failingOnCorrect: number;
  statusCodes: CoverageFigure;
  /** Every request the tool sent, correct API and faults. */
  requests: number;
  ms: number;
}

export interface ApiFigures {
  api: string;
  faults: number;
  testloom: ToolFigures;
  withModel?: number;
  schemathesis: ToolFigures;
}

async function withApi<T>(api: BenchApi, fault: string | undefined, work: (baseUrl: string) => Promise<T>): Promise<T> {
  const running = await api.start(fault);
  try {
    return await work(running.baseUrl);
  } finally {
    await running.close();
  }
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
  fault: string;
  deterministic: string[];
  withModel: string[];
  schemathesis: string[];
}

export async function measureApi(sample: BenchApi, faults: string[]): Promise<ApiFigures> {
  const started = performance.now();
  const specId = sample.name;
  const outDir = `tests/testloom/${sample.name}`;
  const api = await dereferenceSpec(parseSpecDocument(fs.readFileSync(sample.specPath, 'utf8'), 'spec').document);
  const operations = listOperations(api);
  const generated = performance.now();
  const suite = generateSpecSuite({ api, specId, outDir });
  const generateMs = performance.now() - generated;
  console.log(`\n=== ${sample.name}: ${path.relative(process.cwd(), sample.specPath)}, ${operations.length} operations, ${faults.length} seeded faults, one fresh API per tool and round`);

  const modelStarted = performance.now();
  const model = await modelScenarios(api, sample.title, specId, outDir);
  const withModel = 'artifact' in model;
  const files = [...suite.artifacts, ...(withModel ? [model.artifact] : [])];
  const cases = suiteCases(suite.cases.map((c) => ({ caseId: c.id, kind: c.kind, title: c.title, operationId: c.operationId, file: c.file })), outDir, 'jest');
  console.log(withModel
    ? `model: ${model.model}, ${model.scenarios} scenario tests in ${SCENARIO_FILE} (${seconds(performance.now() - modelStarted)})${model.notes.length ? `; ${model.notes.join(' ')}` : ''}`
    : `model: not configured/unavailable (${model.unavailable}); deterministic suite only`);
  console.log(`testloom: ${suite.cases.length} deterministic cases in ${suite.artifacts.filter((a) => a.kind === 'test').length} files, generated in ${generateMs.toFixed(0)} ms; notes: ${suite.notes.length ? suite.notes.join('; ') : 'none'}`);

  const target = (baseUrl: string) => sampleTarget(sample, baseUrl, withModel);
  let testloomMs = 0;
  let schemathesisMs = 0;
  const correct: TestloomRun = await withApi(sample, undefined, (baseUrl) => runTestloom(files, api, cases, target(baseUrl), CORRECT_RUNS));
  testloomMs += correct.ms;
  const schemathesis = (baseUrl: string) => runSchemathesis(sample.specPath, target(baseUrl), sample.auth, sample.schemathesisConfig);
  const correctSt: SchemathesisRun = await withApi(sample, undefined, schemathesis);
  schemathesisMs += correctSt.ms;
  let testloomRequests = correct.execution.report.exchanges.length;
  let schemathesisRequests = correctSt.exchanges.length;
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
  const faultWidth = Math.max(26, ...faults.map((f) => f.length + 2));
  console.log(`\n${'fault'.padEnd(faultWidth)}${columns}`);
  const results: FaultResult[] = [];
  for (const fault of faults) {
    const tl = await withApi(sample, fault, (baseUrl) => runTestloom(files, api, cases, target(baseUrl), FAULT_RUNS));
    testloomMs += tl.ms;
    testloomRequests += tl.execution.report.exchanges.length;
    const stRun = await withApi(sample, fault, schemathesis);
    schemathesisMs += stRun.ms;
    schemathesisRequests += stRun.exchanges.length;
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
    console.log(`${fault.padEnd(faultWidth)}${tlCell.padEnd(withModel ? 18 : 20)}${modelCell}${stCell}   (${seconds(tl.ms)} / ${seconds(stRun.ms)})`);
    console.log(`    bug: ${sample.faults[fault]}`);
    const shown = (names: string[]) => `${names.slice(0, SHOWN).join('; ')}${names.length > SHOWN ? `; … ${names.length - SHOWN} more` : ''}`;
    if (result.withModel.length) console.log(`    testloom: ${shown(result.withModel)}`);
    if (result.schemathesis.length) console.log(`    schemathesis: ${shown(result.schemathesis)}`);
    const stErrors = stRun.errors.filter((e) => !correctSt.errors.includes(e));
    if (stErrors.length) console.log(`    schemathesis run errors: ${stErrors.map(firstLine).join('; ')}`);
  }

  const stCoverage = measureCoverage(operations, correctSt.exchanges);
  // Coverage of the suite as the execute stage would deliver it (flaky tests left out).
  const tlCoverage = correct.execution.report.coverage;
  const detected = (pick: (r: FaultResult) => string[]) => results.filter((r) => pick(r).length).length;
  const count = (pick: (r: FaultResult) => string[]) => `${detected(pick)}/${results.length}`;
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
    ['requests sent, all runs', String(testloomRequests), String(schemathesisRequests)],
    ['wall time', `${seconds(testloomMs)} (${CORRECT_RUNS}+${results.length} runs)`, `${seconds(schemathesisMs)} (${1 + results.length} runs)`],
  ];
  console.log(`\n${`${sample.name} totals`.padEnd(32)}${'testloom (deterministic)'.padEnd(28)}schemathesis`);
  for (const [label, tl, stValue] of rows) console.log(`${label.padEnd(32)}${tl.padEnd(28)}${stValue ?? ''}`);
  if (withModel) console.log(`${'faults detected, with model'.padEnd(32)}${count((r) => r.withModel)}`);
  console.log(`missed by testloom: ${missed((r) => r.deterministic)}`);
  if (withModel) console.log(`missed by testloom with model: ${missed((r) => r.withModel)}`);
  console.log(`missed by schemathesis: ${missed((r) => r.schemathesis)}`);
  console.log(`documented statuses never answered (correct API): testloom ${unexercisedStatuses(tlCoverage)}; schemathesis ${unexercisedStatuses(stCoverage)}`);
  console.log(`undocumented statuses answered (correct API): testloom ${undocumentedStatuses(tlCoverage)}; schemathesis ${undocumentedStatuses(stCoverage)}`);
  console.log(`requests matching no documented operation (correct API): testloom ${tlCoverage.unmatchedRequests.length}, schemathesis ${stCoverage.unmatchedRequests.length}`);
  console.log(`elapsed: ${seconds(performance.now() - started)}`);

  return {
    api: sample.name,
    faults: results.length,
    testloom: {
      detected: detected((r) => r.deterministic), failingOnCorrect: stability.stableFailures.length,
      statusCodes: tlCoverage.statusCodes, requests: testloomRequests, ms: testloomMs,
    },
    ...(withModel ? { withModel: detected((r) => r.withModel) } : {}),
    schemathesis: {
      detected: detected((r) => r.schemathesis), failingOnCorrect: correctFailures.size,
      statusCodes: stCoverage.statusCodes, requests: schemathesisRequests, ms: schemathesisMs,
    },
  };
}
