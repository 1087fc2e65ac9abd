/**
 * The recorded execution histories bench/prioritisation.ts replays (written by record.ts): one JSON
 * file per sample API under histories/, a sequence of executions of one generated suite against
 * successive revisions of the API, with each test's outcome per execution.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ExecutionHistory, OutcomeRecord, PrioritisedTest, RecordedOutcome } from '../../lib/execution/prioritise';

export const HISTORIES_DIR = path.join(__dirname, 'histories');

/** One character per test and execution, so a history stays a readable, diffable file. */
const OUTCOME_CODES: Record<RecordedOutcome, string> = { passed: '.', failed: 'F', flaky: '~', skipped: 's' };
const OUTCOMES_BY_CODE = new Map(Object.entries(OUTCOME_CODES).map(([outcome, code]) => [code, outcome as RecordedOutcome]));

export interface RecordedTest extends PrioritisedTest {
  fullName: string;
}

export interface RecordedExecution {
  /** 1-based, in the order they ran. */
  sequence: number;
  /** The seeded fault switched on in the API's revision; absent for a correct revision. */
  fault?: string;
  /** Operations whose code this revision touched: the fault's, a fixed fault's, and unrelated ones. */
  changedOperations: string[];
  /** `outcomes[i]` is the outcome of `tests[i]`, coded as in OUTCOME_CODES. */
  outcomes: string;
  /** Fault → ids of the tests that detected it here (failed, and passed in every reference run on the correct API). */
  detectedBy: Record<string, string[]>;
}

export interface RecordedHistory {
  api: string;
  /** How it was made, printed by the bench. */
  provenance: string;
  runsPerExecution: number;
  /** In file order: by file, then as the generator wrote them. */
  tests: RecordedTest[];
  /** Descriptions of the faults that appear. */
  faults: Record<string, string>;
  executions: RecordedExecution[];
}

export function encodeOutcomes(outcomes: RecordedOutcome[]): string {
  return outcomes.map((o) => OUTCOME_CODES[o]).join('');
}

export function decodeOutcome(code: string): RecordedOutcome {
  const outcome = OUTCOMES_BY_CODE.get(code);
  if (!outcome) throw new Error(`unknown outcome code ${JSON.stringify(code)}`);
  return outcome;
}

export function loadHistories(dir = HISTORIES_DIR): RecordedHistory[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as RecordedHistory);
}

/** What the prioritiser knows before execution `sequence` runs: every outcome of the executions before it. */
export function historyBefore(history: RecordedHistory, sequence: number): ExecutionHistory {
  const records = new Map<string, OutcomeRecord[]>(history.tests.map((t) => [t.id, []]));
  for (const execution of history.executions) {
    if (execution.sequence >= sequence) break;
    history.tests.forEach((test, i) => {
      records.get(test.id)?.push({ execution: execution.sequence, outcome: decodeOutcome(execution.outcomes[i]) });
    });
  }
  return records;
}
