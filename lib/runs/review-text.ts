/**
 * What the reviewer reads: the pull request body and the run's issue comment, rendered from the
 * `github/` templates (a target repository may override them like any other template).
 */
import type { TemplateRenderer } from '../templates';
import { frameworkFor, TEST_FRAMEWORKS } from '../frameworks';
import type { CoverageFigure } from '../execution/coverage';
import type { CommitOutcome, DeliverySettings, ExecutionSummary, GenerationOutcome, IssueSubject, RetrievalOutcome, RunResult, Subject } from '../core/contract';
import type { RunLinks } from './links';
import { revisionHeadline, revisionLines, subjectSource, subjectTitle } from '../core/subject';

export interface RunRef {
  runId: string;
  workflowId: string;
}

const links = (refs: RunRef, runLinks?: RunLinks) =>
  runLinks ? { api: runLinks.api(refs.runId), temporalUi: runLinks.temporalUi(refs.workflowId, refs.runId) } : undefined;

function byKind(generation: GenerationOutcome): { kind: string; count: number }[] {
  return Object.entries(generation.casesByKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, count]) => ({ kind, count }));
}

function modelView(generation: GenerationOutcome) {
  const model = generation.model;
  if (!model) return undefined;
  const cost = model.costUsd === null ? 'cost unknown' : model.costUsd > 0 ? `about $${model.costUsd.toFixed(4)}` : 'no cost';
  const used = Object.entries(model.models).map(([task, name]) => `${name} (${task})`).join(', ') || 'none';
  return { ...model, used, cost };
}

function runCommand(generation: GenerationOutcome): string {
  // The framework whose source files the run made; the default one for a run without test code.
  const framework = TEST_FRAMEWORKS.find(({ gate }) => generation.files.some((f) => gate.checks(f.path))) ?? frameworkFor();
  return framework.rendering.runCommand(generation.outDir);
}

function percent(figure: CoverageFigure): string {
  return figure.percent === null ? '–' : `${figure.percent}%`;
}

/** The execution section (`docs/execution-report.md`), shared by the pull request, the issue comment and test-cases.md. */
export function executionReport(renderer: TemplateRenderer, summary: ExecutionSummary): string {
  const coverage = summary.coverage;
  return renderer.render('docs/execution-report.md', {
    ...summary,
    baselineFailed: summary.baselineFailed ?? [],
    rows: [
      { label: 'passed every run', count: summary.passed - summary.healed.length - summary.apiDefects.filter((d) => d.testPasses).length },
      { label: 'repaired by the model, then passed every run', count: summary.healed.length },
      { label: 'possible API defect (kept, failing)', count: summary.apiDefects.filter((d) => !d.testPasses).length },
      { label: 'passed, but the answer contradicts the spec', count: summary.apiDefects.filter((d) => d.testPasses).length },
      { label: 'flaky (left out)', count: summary.flaky.length },
      { label: 'failed through its own fault (left out)', count: summary.dropped.length },
      { label: 'its baseline or setup failed (left out)', count: summary.baselineFailed?.length ?? 0 },
      { label: 'not verified (request refused or not answered)', count: summary.blocked.length },
    ],
    coverage: coverage
      ? ([
        ['operations', coverage.operations],
        ['documented status codes', coverage.statusCodes],
        ['parameters', coverage.parameters],
        ['request-body properties', coverage.requestBodyProperties],
      ] as const).map(([label, figure]) => ({ label, covered: figure.covered, total: figure.total, percent: percent(figure) }))
      : [],
  }).trim();
}

/** Each `.testloom.yml` threshold against what the execution found: `status-code coverage 62%: below the minimum of 80%`. */
function thresholdLines(thresholds: DeliverySettings['thresholds'], execution: ExecutionSummary | undefined): string[] {
  if (!thresholds || !execution || execution.status !== 'executed') return [];
  const lines: string[] = [];
  const coverage = execution.coverage?.statusCodes.percent;
  if (thresholds.minStatusCodeCoverage !== undefined && coverage !== undefined && coverage !== null) {
    const verdict = coverage < thresholds.minStatusCodeCoverage ? '**below** the minimum of' : 'meets the minimum of';
    lines.push(`documented status codes covered: ${coverage}%, ${verdict} ${thresholds.minStatusCodeCoverage}%`);
  }
  if (thresholds.maxFlakyTests !== undefined) {
    const verdict = execution.flaky.length > thresholds.maxFlakyTests ? '**more than** the' : 'within the';
    lines.push(`flaky tests: ${execution.flaky.length}, ${verdict} ${thresholds.maxFlakyTests} allowed`);
  }
  return lines;
}

export function pullRequestBody(
  renderer: TemplateRenderer,
  input: { subject: Subject; retrieval: RetrievalOutcome; generation: GenerationOutcome; commit: CommitOutcome; execution?: ExecutionSummary },
  refs: RunRef & { marker: string },
  runLinks?: RunLinks,
): string {
  const { subject, retrieval, generation, commit, execution } = input;
  return renderer.render('github/pull-request.md', {
    subjectTitle: subjectTitle(subject),
    source: subjectSource(subject),
    counts: byKind(generation),
    caseCount: generation.caseCount,
    outDir: generation.outDir,
    fileCount: generation.files.length,
    commitShort: commit.commitSha.slice(0, 12),
    revision: subject.kind === 'spec' && subject.revision
      ? { previousRunId: subject.revision.previousRunId, headline: revisionHeadline(subject.revision.changes), lines: revisionLines(subject.revision.changes) }
      : undefined,
    configProblems: subject.delivery?.configProblems,
    thresholds: thresholdLines(subject.delivery?.thresholds, execution),
    retrieval: { ...retrieval, documents: retrieval.documents.map((doc) => ({ ...doc, score: doc.score.toFixed(2) })) },
    model: modelView(generation),
    dropped: generation.dropped ?? [],
    notes: generation.notes,
    runCommand: runCommand(generation),
    execution: execution ? executionReport(renderer, execution) : undefined,
    links: links(refs, runLinks),
    runId: refs.runId,
    marker: refs.marker,
  });
}

export function issueCommentBody(
  renderer: TemplateRenderer,
  input: { subject: IssueSubject; result: RunResult },
  refs: RunRef & { marker: string },
  runLinks?: RunLinks,
): string {
  const { generation, commit, review, execution } = input.result;
  return renderer.render('github/issue-comment.md', {
    reviewUrl: review?.url,
    caseCount: generation?.caseCount,
    kinds: generation ? byKind(generation).map(({ kind, count }) => `${count} ${kind}`) : [],
    outDir: generation?.outDir,
    branch: commit?.branch,
    commitShort: commit?.commitSha.slice(0, 12),
    execution: execution ? executionReport(renderer, execution) : undefined,
    links: links(refs, runLinks),
    runId: refs.runId,
    marker: refs.marker,
  });
}
