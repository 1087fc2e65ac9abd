/**
 * Bounded repair of tests whose failure is the test's own fault (a wrong expectation, bad data, a
 * wrong path). Each round asks the model for a corrected test, splices it into its file and runs the
 * changed files again; a repair counts only if the test then passes every run without accepting an
 * answer that contradicts the spec, so a possible API defect can never be "healed" into passing.
 * Tests still failing after the last round are given up, with the reason.
 */
import type { SuiteFile, TestRepairEditor } from '../frameworks';
import type { Operation } from '../openapi';
import type { SchemaDialect } from './response-check';
import { firstLine, specContradictions, type FailingTest, type Finding } from './triage';
import type { Exchange } from './types';
import type { ValidationReport } from './validate-suite';

export interface RepairRequest {
  file: string;
  fullName: string;
  /** The whole test file, for its imports and helpers. */
  fileSource: string;
  /** The failing test's statement. */
  testSource: string;
  failureMessage?: string;
  /** Why triage blamed the test. */
  reasons: string[];
  /** The last request the test sent and the API's answer (secrets replaced by markers). */
  exchange?: Exchange;
  operation?: Operation;
  /** Earlier rounds' repairs of this test and how each failed. */
  previous: { code: string; failure: string }[];
}

/** The model side: a corrected `test(...)` statement with the same title. Throws when no model can answer. */
export type TestRepairer = (request: RepairRequest) => Promise<{ code: string; explanation: string }>;

export interface HealOptions {
  files: SuiteFile[];
  defects: Finding[];
  /** How the suite's framework finds a test's statement and splices a repair in (TestSourceEditor.repair). */
  editor: TestRepairEditor;
  rounds: number;
  /** Absent: no model is configured, nothing is repaired. */
  repair?: TestRepairer;
  /** Runs `testFiles` of `files` against the API (every run the validation does) and reports. */
  verify(files: SuiteFile[], testFiles: string[]): Promise<ValidationReport>;
  /**
   * The quality gates the generated suite passed (type-check, assertions), for the files a round
   * changed: path → why it fails. Jest strips types, so a repair that runs may still not type-check.
   */
  check?(files: SuiteFile[], changed: string[]): Promise<Map<string, string>>;
  operations: Operation[];
  dialect: SchemaDialect;
  expectationOf?: (test: { file: string; fullName: string }) => FailingTest['expectation'];
  /** An error the repairer threw that must end the attempt instead of giving the tests up (e.g. a cancellation). */
  isFatal?: (err: unknown) => boolean;
}

export interface HealedTest {
  file: string;
  fullName: string;
  rounds: number;
  explanation: string;
}

export interface UnhealedTest {
  file: string;
  fullName: string;
  reason: string;
  rounds: number;
}

export interface HealOutcome {
  /** The suite with every accepted repair in place. */
  files: SuiteFile[];
  healed: HealedTest[];
  unhealed: UnhealedTest[];
}

interface Pending {
  finding: Finding;
  previous: { code: string; failure: string }[];
  lastFailure: string;
}

const key = (test: { file: string; fullName: string }) => `${test.file}\u0000${test.fullName}`;


function replaceFile(files: SuiteFile[], path: string, content: string): SuiteFile[] {
  return files.map((file) => (file.path === path ? { ...file, content } : file));
}

/** `files` with the test's statement replaced by `code`. */
function withRepair(editor: TestRepairEditor, files: SuiteFile[], test: { file: string; fullName: string }, code: string): SuiteFile[] {
  const source = files.find((f) => f.path === test.file)!.content;
  return replaceFile(files, test.file, editor.replaceTest(source, test.fullName, code));
}

function testStatement(
  editor: TestRepairEditor,
  files: SuiteFile[],
  test: { file: string; fullName: string },
): { fileSource: string; testSource: string; title: string } | undefined {
  const fileSource = files.find((f) => f.path === test.file)?.content;
  const found = fileSource === undefined ? undefined : editor.listTests(fileSource).find((t) => t.fullName === test.fullName);
  if (!fileSource || !found) return undefined;
  return { fileSource, testSource: fileSource.slice(found.start, found.end).trim(), title: found.title };
}

/** Why a proposed repair was not accepted, or undefined when it was. */
function verdictOf(report: ValidationReport, test: { file: string; fullName: string }, options: HealOptions): string | undefined {
  const stability = report.stability.tests.find((t) => key(t) === key(test));
  if (!stability) {
    const fileError = report.runs.flatMap((r) => r.fileErrors).find((e) => e.file === test.file);
    return fileError ? `the repaired file did not run: ${firstLine(fileError.message)}` : 'the repaired test was not reported by the test runner';
  }
  if (stability.stability === 'flaky') return `the repaired test was flaky (${stability.outcomes.join(', ')})`;
  if (stability.stability !== 'stable-pass') return `the repaired test still fails: ${firstLine(stability.failureMessage)}`;
  const exchanges = report.exchanges.filter((e) => e.test && key(e.test) === key(test));
  const expectation = options.expectationOf?.(test);
  const contradictions = specContradictions({ exchanges, operations: options.operations, dialect: options.dialect, expectation });
  if (contradictions.length) return `the repaired test passes only by accepting an answer that contradicts the spec: ${contradictions[0]}`;
  return undefined;
}

export async function healTests(options: HealOptions): Promise<HealOutcome> {
  let files = options.files;
  const healed: HealedTest[] = [];
  const unhealed: UnhealedTest[] = [];
  let pending: Pending[] = options.defects.map((finding) => ({ finding, previous: [], lastFailure: firstLine(finding.failureMessage) || finding.reasons[0] || 'failed' }));
  if (!options.repair) {
    return { files, healed, unhealed: pending.map(({ finding }) => ({ file: finding.file, fullName: finding.fullName, rounds: 0, reason: `the test fails through its own fault (${finding.reasons[0]}) and no model is configured to repair it` })) };
  }

  for (let round = 1; round <= options.rounds && pending.length; round++) {
    const proposals: { item: Pending; code: string; explanation: string }[] = [];
    const next: Pending[] = [];
    let modelGone: string | undefined;
    for (const item of pending) {
      const test = testStatement(options.editor, files, item.finding);
      if (modelGone || !test) {
        unhealed.push({ file: item.finding.file, fullName: item.finding.fullName, rounds: round - 1, reason: modelGone ?? 'the test could not be found in its file to repair it' });
        continue;
      }
      let answer: { code: string; explanation: string };
      try {
        answer = await options.repair({
          file: item.finding.file,
          fullName: item.finding.fullName,
          fileSource: test.fileSource,
          testSource: test.testSource,
          failureMessage: item.finding.failureMessage,
          reasons: item.finding.reasons,
          exchange: item.finding.exchange,
          operation: options.operations.find((op) => op.operationId === item.finding.operationId),
          previous: item.previous,
        });
      } catch (err) {
        if (options.isFatal?.(err)) throw err;
        // No model can answer now: this and every test still waiting are given up, with the reason.
        modelGone = `no repair: the model could not answer (${(err as Error).message})`;
        unhealed.push({ file: item.finding.file, fullName: item.finding.fullName, rounds: round - 1, reason: modelGone });
        continue;
      }
      try {
        const { title } = options.editor.parseTestStatement(answer.code);
        if (title !== test.title) throw new Error(`the repair renamed the test to "${title}"; the title must stay "${test.title}"`);
        proposals.push({ item, code: answer.code, explanation: answer.explanation });
      } catch (err) {
        next.push({ ...item, previous: [...item.previous, { code: answer.code, failure: (err as Error).message }], lastFailure: (err as Error).message });
      }
    }

    // The gates first, then one verification run for the round: the proposals in place, only the files they touch.
    const candidateWith = (chosen: typeof proposals) => chosen.reduce((acc, p) => withRepair(options.editor, acc, p.item.finding, p.code), files);
    const touched = (chosen: typeof proposals) => [...new Set(chosen.map((p) => p.item.finding.file))];
    const gateFailures = proposals.length && options.check ? await options.check(candidateWith(proposals), touched(proposals)) : new Map<string, string>();
    for (const proposal of proposals.filter((p) => gateFailures.has(p.item.finding.file))) {
      const failure = `the repaired file fails a quality gate: ${gateFailures.get(proposal.item.finding.file)}`;
      next.push({ ...proposal.item, previous: [...proposal.item.previous, { code: proposal.code, failure }], lastFailure: failure });
    }
    const checked = proposals.filter((p) => !gateFailures.has(p.item.finding.file));
    const report = checked.length ? await options.verify(candidateWith(checked), touched(checked)) : undefined;
    for (const proposal of checked) {
      const failure = verdictOf(report!, proposal.item.finding, options);
      if (failure === undefined) {
        files = withRepair(options.editor, files, proposal.item.finding, proposal.code);
        healed.push({ file: proposal.item.finding.file, fullName: proposal.item.finding.fullName, rounds: round, explanation: proposal.explanation });
      } else {
        next.push({ ...proposal.item, previous: [...proposal.item.previous, { code: proposal.code, failure }], lastFailure: failure });
      }
    }
    pending = next;
    if (modelGone) {
      for (const item of pending) unhealed.push({ file: item.finding.file, fullName: item.finding.fullName, rounds: round, reason: `not repaired: ${item.lastFailure}; then ${modelGone}` });
      pending = [];
    }
  }
  for (const item of pending) {
    unhealed.push({ file: item.finding.file, fullName: item.finding.fullName, rounds: options.rounds, reason: `not repaired in ${options.rounds} round${options.rounds === 1 ? '' : 's'}: ${item.lastFailure}` });
  }
  return { files, healed, unhealed };
}
