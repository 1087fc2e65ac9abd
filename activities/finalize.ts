import { Context } from '@temporalio/activity';
import { updateRun } from '../lib/db/runs';
import { listStoredTestCases } from '../lib/db/test-cases';
import { generatedCaseDocument } from '../lib/retrieval/texts';
import type { IndexingOutcome, RunEnd, RunResult, Subject } from '../lib/core/contract';
import { issueCommentBody } from '../lib/runs/review-text';
import { workflowMarker } from '../lib/repohost/types';
import { subjectKey } from '../lib/core/subject';
import { currentRun, recordStage, withRepositoryTemplates, type ActivityDeps } from './stage';

/**
 * For an issue, creates or updates the run's one comment on it (found by its hidden marker), unless
 * the repository's `.testloom.yml` turns comments off; for a spec run, hands the spec's schedule
 * (one `.testloom.yml` asks for, or one made for an earlier revision) to this run; then marks the run
 * completed with its result. Running it twice updates the same comment, schedule and row.
 */
export function finalizeActivity(deps: ActivityDeps) {
  return async function finalize(result: RunResult): Promise<void> {
    await recordStage(deps, 'finalize', async () => {
      const { runId, workflowId } = currentRun();
      if (result.subject?.kind === 'issue' && result.subject.delivery?.comments !== false) {
        const marker = workflowMarker(workflowId);
        const subject = result.subject;
        const body = await withRepositoryTemplates(deps, subject.repository, (renderer) =>
          issueCommentBody(renderer, { subject, result }, { runId, workflowId, marker }, deps.links),
        );
        await deps.repoHost.upsertIssueComment({ repository: subject.repository, issueNumber: subject.number, marker, body });
      }
      const schedule = result.subject?.kind === 'spec' && deps.schedules
        ? await deps.schedules.followDeliveredRun(Context.current().client, runId, result.subject.delivery?.schedule)
        : undefined;
      await updateRun(deps.db, runId, {
        status: 'completed',
        result,
        finishedAt: new Date(),
        ...(result.indexing || schedule ? { details: { ...(result.indexing ? { indexing: result.indexing } : {}), ...(schedule ? { schedule } : {}) } } : {}),
      });
    });
  };
}

/** Records how a run ended when it did not complete: the stage and the reason. */
export function recordRunEndActivity(deps: ActivityDeps) {
  return async function recordRunEnd(end: RunEnd): Promise<void> {
    const runId = currentRun().runId;
    const finishedAt = new Date();
    if (end.status === 'cancelled') {
      await updateRun(deps.db, runId, { status: 'cancelled', stage: end.stage, details: { cancelReason: end.reason }, finishedAt });
    } else {
      await updateRun(deps.db, runId, { status: 'failed', stage: end.stage, error: end.reason, errorStage: end.stage, finishedAt });
    }
  };
}

/**
 * Teaches the retrieval index the run's test cases, so later runs find them. Case ids ignore the
 * run, so running this twice (or re-running the spec) upserts the same entries.
 */
export function indexRunCasesActivity(deps: ActivityDeps) {
  return async function indexRunCases(subject: Subject): Promise<IndexingOutcome> {
    if (!deps.retrieval) return { status: 'not configured', indexed: 0, reason: 'retrieval is switched off (TESTLOOM_RETRIEVAL=off)' };
    const { runId } = currentRun();
    const cases = await listStoredTestCases(deps.db, runId);
    const created = Date.now();
    const documents = cases.map((testCase) =>
      generatedCaseDocument({ repository: subject.repository, origin: subject.kind, subject: subjectKey(subject), runId, created, testCase }),
    );
    const indexed = await deps.retrieval.index(documents);
    await updateRun(deps.db, runId, { details: { indexing: { status: 'ok', indexed } } });
    return { status: 'ok', indexed };
  };
}
