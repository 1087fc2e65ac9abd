import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { FileError, TestOutcome, TestResult } from '../shared/results';

/** The parts of Jest's `--json` report that are read; see @jest/test-result's FormattedTestResults. */
export interface JestJsonReport {
  testResults: {
    name: string;
    status: string;
    message: string;
    assertionResults: { fullName: string; status: string; duration?: number | null; failureMessages: string[] }[];
  }[];
}

function outcomeOf(status: string): TestOutcome {
  if (status === 'passed') return 'passed';
  if (status === 'failed') return 'failed';
  return 'skipped';
}

function relativeFile(repoRoot: string, file: string): string {
  return path.relative(repoRoot, file).split(path.sep).join('/');
}

export function readJestReport(report: JestJsonReport, repoRoot: string): { tests: TestResult[]; fileErrors: FileError[] } {
  const tests: TestResult[] = [];
  const fileErrors: FileError[] = [];
  for (const file of report.testResults) {
    const relative = relativeFile(repoRoot, file.name);
    if (file.status === 'failed' && file.assertionResults.length === 0) {
      fileErrors.push({ file: relative, message: stripVTControlCharacters(file.message).trim() });
      continue;
    }
    for (const assertion of file.assertionResults) {
      const result: TestResult = { file: relative, fullName: assertion.fullName, outcome: outcomeOf(assertion.status), durationMs: assertion.duration ?? 0 };
      if (assertion.failureMessages.length) result.failureMessage = stripVTControlCharacters(assertion.failureMessages.join('\n')).trim();
      tests.push(result);
    }
  }
  return { tests, fileErrors };
}
