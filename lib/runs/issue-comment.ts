import type { RunLinks } from './links';
import type { IssueSubject, RunResult } from './contract';

/**
 * The one comment a run keeps on its issue: where the pull request is, what it holds, where to
 * follow the run and how to ask for another generation. `marker` (hidden) identifies it.
 */
export function issueCommentBody(input: {
  subject: IssueSubject;
  result: RunResult;
  marker: string;
  run: { runId: string; workflowId: string };
  links?: RunLinks;
}): string {
  const { result, marker, run, links } = input;
  const review = result.review;
  const generation = result.generation;
  const kinds = Object.entries(generation?.casesByKind ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, count]) => `${count} ${kind}`);
  return [
    review ? `testloom generated tests for this issue: ${review.url}` : 'testloom generated tests for this issue.',
    '',
    ...(generation ? [`- ${generation.caseCount} test cases${kinds.length ? ` (${kinds.join(', ')})` : ''} in \`${generation.outDir}/\``] : []),
    ...(result.commit ? [`- branch \`${result.commit.branch}\` at ${result.commit.commitSha.slice(0, 12)}`] : []),
    ...(links ? [`- run: ${links.api(run.runId)} (Temporal: ${links.temporalUi(run.workflowId, run.runId)})`] : [`- run \`${run.runId}\``]),
    '',
    'To generate again (after editing the issue, or with feedback), comment `/testloom regenerate` followed by any feedback; this comment and the pull request are updated in place.',
    '',
    marker,
  ].join('\n');
}
