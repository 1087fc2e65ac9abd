/**
 * An issue's test cases, written by a model: the prompt and the rendered document come from
 * templates (overridable per repository), the answer is constrained and validated by the
 * test-case document schema.
 */
import { promptContext, type ModelTaskRequest } from './model-task';
import type { Completion } from '../../llm';
import type { IssueSubject } from '../../core/contract';
import type { Artifact } from '../../core/run';
import { reviewDocument, testCaseDocumentSchema, type IssueTestCase, type TestCaseDocument } from './test-case-document';

export interface IssueCasesRequest extends ModelTaskRequest {
  subject: IssueSubject;
  outDir: string;
}

export interface IssueCasesResult {
  cases: IssueTestCase[];
  artifacts: Artifact[];
  notes: string[];
  completion: Completion;
}

function inFieldOrder(c: IssueTestCase): IssueTestCase {
  return {
    id: c.id,
    title: c.title,
    preconditions: c.preconditions,
    steps: c.steps,
    expectedResult: c.expectedResult,
    priority: c.priority,
    type: c.type,
    criterion: c.criterion,
  };
}

export async function writeIssueTestCases(request: IssueCasesRequest): Promise<IssueCasesResult> {
  const { subject, renderer } = request;
  const criteria = subject.acceptanceCriteria;
  const completion = await request.models.complete('issue-test-cases', {
    system: renderer.render('prompts/system.md', { repository: subject.repository }),
    prompt: renderer.render('prompts/issue-test-cases.md', {
      issue: subject,
      criteria,
      ...promptContext(request),
    }),
    schema: testCaseDocumentSchema(criteria),
    temperature: 0,
    runId: request.runId,
    repository: subject.repository,
    signal: request.signal,
    onProgress: request.onProgress,
  });

  const notes: string[] = [];
  // In the documented field order: a cached answer comes back from jsonb with its keys reordered.
  let cases = (completion.json as TestCaseDocument).cases.map(inFieldOrder);
  const review = reviewDocument({ cases }, criteria);
  if (review.duplicateIds.length) {
    cases = cases.map((c, i) => ({ ...c, id: `TC-${i + 1}` }));
    notes.push(`The model repeated case ids (${review.duplicateIds.join(', ')}); cases were renumbered in order.`);
  }
  for (const criterion of review.uncovered) notes.push(`No test case traces to the acceptance criterion "${criterion}".`);

  const model = `${completion.provider}/${completion.model}`;
  const json = `${JSON.stringify({ issue: { repository: subject.repository, number: subject.number, title: subject.title, url: subject.url }, model, cases }, null, 2)}\n`;
  const markdown = renderer.render('docs/issue-test-cases.md', { issue: subject, cases, criteria, uncovered: review.uncovered, model });
  return {
    cases,
    notes,
    completion,
    artifacts: [
      { path: `${request.outDir}/test-cases.json`, kind: 'doc', content: json },
      { path: `${request.outDir}/test-cases.md`, kind: 'doc', content: markdown },
    ],
  };
}
