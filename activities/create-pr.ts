import type { CommitOutcome, GenerationOutcome, RetrievalOutcome, ReviewOutcome, Subject } from '../lib/runs/contract';
import { subjectSource, subjectTitle } from '../lib/runs/subject';
import { currentRun, recordStage, type ActivityDeps } from './deps';

function retrievalSection(retrieval: RetrievalOutcome): string[] {
  if (retrieval.status !== 'ok') return [`Retrieval: ${retrieval.status}${retrieval.reason ? ` (${retrieval.reason})` : ''}.`];
  if (!retrieval.documents.length) return ['Retrieval: no similar existing tests above the similarity threshold.'];
  return [
    `Retrieval: ${retrieval.documents.length} similar existing tests were used as context:`,
    '',
    '| similarity | test | file |',
    '| --- | --- | --- |',
    ...retrieval.documents.map((doc) => `| ${doc.score.toFixed(2)} | ${doc.title.replace(/\|/g, '\\|')} | \`${doc.path}\` |`),
  ];
}

function modelSection(generation: GenerationOutcome): string[] {
  const model = generation.model;
  if (!model) return [];
  if (model.status !== 'ok') return [`Model: ${model.status}${model.reason ? ` (${model.reason})` : ''}.`];
  const used = Object.entries(model.models).map(([task, name]) => `${name} (${task})`).join(', ') || 'none';
  const cost = model.costUsd === null ? 'cost unknown' : model.costUsd > 0 ? `about $${model.costUsd.toFixed(4)}` : 'no cost';
  return [`Model: ${used}; ${model.calls} call${model.calls === 1 ? '' : 's'}${model.cacheHits ? ` and ${model.cacheHits} answered from the cache` : ''}, ${model.tokensIn} tokens in, ${model.tokensOut} out, ${cost}.`];
}

function droppedSection(generation: GenerationOutcome): string[] {
  if (!generation.dropped?.length) return [];
  return ['', 'Dropped by the quality gates:', ...generation.dropped.map((d) => `- \`${d.path}\` (${d.gate}): ${d.reason}`)];
}

function reviewBody(input: { subject: Subject; retrieval: RetrievalOutcome; generation: GenerationOutcome; commit: CommitOutcome }, workflowId: string): string {
  const { subject, retrieval, generation, commit } = input;
  const counts = Object.entries(generation.casesByKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, count]) => `| ${kind} | ${count} |`);
  return [
    `Generated tests for **${subjectTitle(subject)}**, from ${subjectSource(subject)}.`,
    '',
    '| test type | cases |',
    '| --- | --- |',
    ...counts,
    `| **total** | **${generation.caseCount}** |`,
    '',
    `Files: \`${generation.outDir}/\` (${generation.files.length} files) at ${commit.commitSha.slice(0, 12)}.`,
    ...retrievalSection(retrieval),
    ...modelSection(generation),
    ...droppedSection(generation),
    ...(generation.notes.length ? ['', 'Notes:', ...generation.notes.map((note) => `- ${note}`)] : []),
    '',
    `Run the suite with \`API_BASE_URL=<your API> npx jest ${generation.outDir}\`.`,
    '',
    `<!-- testloom:workflow=${workflowId} -->`,
  ].join('\n');
}

/** Opens the review for the run's branch, or updates the one that is already open. */
export function createPrActivity(deps: ActivityDeps) {
  return async function createPr(input: {
    subject: Subject;
    retrieval: RetrievalOutcome;
    generation: GenerationOutcome;
    commit: CommitOutcome;
  }): Promise<ReviewOutcome> {
    return recordStage(deps, 'createPr', async () => {
      const { runId, workflowId } = currentRun();
      return deps.repoHost.openOrUpdateReview({
        repository: input.subject.repository,
        headBranch: input.commit.branch,
        baseBranch: input.commit.baseBranch,
        title: `testloom: tests for ${subjectTitle(input.subject)}`,
        body: reviewBody(input, workflowId),
        runId,
      });
    });
  };
}
