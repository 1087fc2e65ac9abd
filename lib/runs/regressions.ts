/**
 * Regressions of a run's suite: after an execution completes, its per-test outcomes are compared
 * with the previous completed execution against the same API. Each regression is stored once (keyed
 * by execution and test) and reported once: on the run's issue in a comment marked with the
 * execution id, and, when the operator asks for it, in one new issue holding the same marker. A
 * retry finds the rows, the comment and the issue it made before.
 */
import type { Kysely } from 'kysely';
import type { ExecutionRow, Tables } from '../../schema/tables';
import { getExecution } from '../db/executions';
import { type listRegressions, markRegressionsReported, previousCompletedExecutions, saveRegressions } from '../db/regressions';
import { getRun } from '../db/runs';
import { findRegressions, type FoundRegression, type Regression } from '../execution/regressions';
import type { RepoHost } from '../repohost/types';
import { subjectTitle } from '../core/subject';
import type { RunLinks } from './links';

export const REGRESSION_LABELS = ['testloom-regression'];
/** Longest failure message quoted per test in a comment or issue. */
const FAILURE_CHARS = 300;

export interface RegressionOutcome {
  executionId: string;
  /** The execution before this one (a regression's test may have last run in an earlier one); absent when there was none to compare with. */
  previousExecutionId?: string;
  regressions: Regression[];
  comment?: { url: string };
  issue?: { number: number; url: string };
}

export type RegressionDeps = { db: Kysely<Tables>; repoHost: RepoHost; links?: RunLinks; regressionIssues?: boolean };

export function regressionMarker(executionId: string): string {
  return `<!-- testloom:regressions=${executionId} -->`;
}

function quoted(failure: string | undefined): string {
  if (!failure) return '';
  const line = failure.split('\n').find((l) => l.trim()) ?? '';
  return `: ${line.length > FAILURE_CHARS ? `${line.slice(0, FAILURE_CHARS)}…` : line.trim()}`;
}

function reportBody(execution: ExecutionRow, regressions: FoundRegression[], links: RunLinks | undefined, marker: string): string {
  const where = links ? `${links.api(execution.runId)}/executions/${encodeURIComponent(execution.id)}` : `execution ${execution.id} of run ${execution.runId}`;
  const count = regressions.length === 1 ? '1 test' : `${regressions.length} tests`;
  return [
    `### Regressions against ${execution.target.baseUrl}`,
    '',
    `${count} passed the last time ${regressions.length === 1 ? 'it' : 'they'} ran and fail${regressions.length === 1 ? 's' : ''} now:`,
    '',
    ...regressions.map((r) => `- **${r.fullName}** in \`${r.file}\` (passed in execution ${r.previousExecutionId})${quoted(r.failure)}`),
    '',
    `Execution: ${where}`,
    '',
    marker,
  ].join('\n');
}

/** Compares `executionId` with the execution before it, stores what regressed, and reports it once. */
export async function reportRegressions(deps: RegressionDeps, executionId: string): Promise<RegressionOutcome> {
  const execution = await getExecution(deps.db, executionId);
  if (!execution || execution.status !== 'completed' || !execution.report) return { executionId, regressions: [] };
  const run = await getRun(deps.db, execution.runId);
  const history = (await previousCompletedExecutions(deps.db, execution, run?.workflowId ?? ''))
    .flatMap((e) => (e.report ? [{ id: e.id, report: e.report }] : []));
  if (!history.length) return { executionId, regressions: [] };
  const found = findRegressions(history, execution.report);
  await saveRegressions(deps.db, found.map((r) => ({ ...r, executionId, runId: execution.runId })));
  const outcome: RegressionOutcome = { executionId, previousExecutionId: history[0].id, regressions: found.map(({ previousExecutionId: _, ...r }) => r) };
  if (found.length === 0) return outcome;

  const marker = regressionMarker(executionId);
  const body = reportBody(execution, found, deps.links, marker);
  const subject = run?.subject;
  if (subject?.kind === 'issue') {
    const comment = await deps.repoHost.upsertIssueComment({ repository: subject.repository, issueNumber: subject.number, marker, body });
    outcome.comment = { url: comment.url };
  }
  if (deps.regressionIssues && run) {
    const about = subject ? ` of ${subjectTitle(subject)}` : '';
    const title = `Regression: ${found.length === 1 ? '1 test' : `${found.length} tests`}${about} fail${found.length === 1 ? 's' : ''} against ${execution.target.baseUrl}`;
    const issue = await deps.repoHost.createIssue({ repository: run.repository, title, body, marker, labels: REGRESSION_LABELS });
    outcome.issue = { number: issue.number, url: issue.url };
  }
  await markRegressionsReported(deps.db, executionId, { commentUrl: outcome.comment?.url, issueUrl: outcome.issue?.url });
  return outcome;
}

/** A stored regression as the API shows it. */
export function viewRegression(row: Awaited<ReturnType<typeof listRegressions>>[number]) {
  return {
    executionId: row.executionId,
    runId: row.runId,
    file: row.file,
    fullName: row.fullName,
    previousExecutionId: row.previousExecutionId,
    failure: row.failure,
    commentUrl: row.commentUrl,
    issueUrl: row.issueUrl,
    createdAt: row.createdAt.toISOString(),
  };
}
