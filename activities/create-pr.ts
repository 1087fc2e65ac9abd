import { workflowMarker } from '../lib/repohost/types';
import type { CommitOutcome, ExecutionSummary, GenerationOutcome, RetrievalOutcome, ReviewOutcome, Subject } from '../lib/core/contract';
import { pullRequestBody } from '../lib/runs/review-text';
import { subjectTitle } from '../lib/core/subject';
import { currentRun, recordStage, withRepositoryTemplates, type ActivityDeps } from './stage';

/** Opens the review for the run's branch, or updates the one that is already open; its body comes from the `github/pull-request.md` template. */
export function createPrActivity(deps: ActivityDeps) {
  return async function createPr(input: {
    subject: Subject;
    retrieval: RetrievalOutcome;
    generation: GenerationOutcome;
    commit: CommitOutcome;
    execution?: ExecutionSummary;
  }): Promise<ReviewOutcome> {
    return recordStage(deps, 'createPr', async () => {
      const { runId, workflowId } = currentRun();
      const body = await withRepositoryTemplates(deps, input.subject.repository, (renderer) =>
        pullRequestBody(renderer, input, { runId, workflowId, marker: workflowMarker(workflowId) }, deps.links),
      );
      return deps.repoHost.openOrUpdateReview({
        repository: input.subject.repository,
        headBranch: input.commit.branch,
        baseBranch: input.commit.baseBranch,
        title: `testloom: tests for ${subjectTitle(input.subject)}`,
        body,
        runId,
        ...(input.subject.delivery?.reviewLabels ? { labels: input.subject.delivery.reviewLabels } : {}),
      });
    });
  };
}
