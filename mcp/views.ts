/**
 * What the API answers (JSON, as api/openapi/document.ts describes it) and the condensed forms the
 * MCP tools and resources hand to an agent: the parts that help it act, not the stored spec.
 */
import type { ExecutionSummary, RunResult } from '../lib/core/contract';

export interface ApiRunSummary {
  id: string;
  workflowId: string;
  trigger: string;
  repository: string;
  specId: string | null;
  status: string;
  stage: string | null;
  error: { stage: string | null; message: string } | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface ApiExecution {
  id: string;
  runId: string;
  workflowId?: string;
  kind: string;
  status: string;
  target: { baseUrl: string };
  summary: ExecutionSummary | null;
  report?: { findings?: ApiFinding[] };
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface ApiFinding {
  file: string;
  fullName: string;
  classification: string;
  reasons: string[];
  failureMessage?: string;
  operationId?: string;
  reproducer?: string;
  exchange?: {
    method: string; url: string; path?: string; status?: number; error?: string; refused?: { message: string }; requestBody?: string; responseBody?: string;
  };
}

export interface ApiRun extends ApiRunSummary {
  result: RunResult | null;
  stages: { stage: string; attempt: number; outcome: string; startedAt: string; endedAt: string | null; error: string | null }[];
  artifacts: { path: string; kind: string; sha256: string; delivery: { status: string; reason?: string } }[];
  executions: ApiExecution[];
  review: { id: number; title: string; status: string; headBranch: string } | null;
  links: { temporalUi: string };
}

export interface ApiRunFile {
  runId: string;
  path: string;
  kind: string;
  delivery: { status: string; reason?: string };
  content: string;
}

export const runUri = (runId: string) => `testloom://runs/${encodeURIComponent(runId)}`;
export const testCasesUri = (runId: string) => `${runUri(runId)}/test-cases`;
export const fileUri = (runId: string, path: string) => `${runUri(runId)}/files/${path.split('/').map(encodeURIComponent).join('/')}`;

/** The run's test-case document: the Markdown `test-cases.md` it generated (issue runs also keep a JSON form). */
export function testCaseDocument(run: Pick<ApiRun, 'artifacts'>): ApiRun['artifacts'][number] | undefined {
  const docs = run.artifacts.filter((a) => a.kind === 'doc');
  return docs.find((a) => a.path.endsWith('test-cases.md')) ?? docs.find((a) => a.path.endsWith('.md'));
}

export function executionCounts(summary: ExecutionSummary | null | undefined) {
  if (!summary) return null;
  if (summary.status === 'skipped') return { status: summary.status, reason: summary.reason ?? null, baseUrl: summary.baseUrl };
  return {
    status: summary.status,
    baseUrl: summary.baseUrl,
    runs: summary.runs,
    tests: summary.tests,
    passed: summary.passed,
    apiDefects: summary.apiDefects.length,
    flaky: summary.flaky.length,
    dropped: summary.dropped.length,
    healed: summary.healed.length,
    notVerified: summary.blocked.length,
    coverage: summary.coverage ?? null,
  };
}

export function condenseSummary(run: ApiRunSummary) {
  return {
    id: run.id,
    workflowId: run.workflowId,
    trigger: run.trigger,
    repository: run.repository,
    status: run.status,
    stage: run.stage,
    error: run.error,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    uri: runUri(run.id),
  };
}

/** A run as an agent reads it: where it is, what it generated (with resource URIs), what execution found. */
export function condenseRun(run: ApiRun) {
  const result = run.result;
  const doc = testCaseDocument(run);
  return {
    ...condenseSummary(run),
    stages: run.stages.map(({ stage, attempt, outcome, error }) => ({ stage, attempt, outcome, error })),
    testCases: result?.generation ? { count: result.generation.caseCount, byKind: result.generation.casesByKind, notes: result.generation.notes } : null,
    testCaseDocument: doc ? testCasesUri(run.id) : null,
    files: run.artifacts.map((a) => ({ path: a.path, kind: a.kind, delivery: a.delivery.status, uri: fileUri(run.id, a.path) })),
    execution: executionCounts(result?.execution),
    executions: run.executions.map((e) => ({ id: e.id, kind: e.kind, status: e.status, baseUrl: e.target?.baseUrl ?? null, createdAt: e.createdAt })),
    delivery: result?.commit ? { branch: result.commit.branch, commitSha: result.commit.commitSha, review: result.review?.url ?? null } : null,
    retrieval: result?.retrieval ? { status: result.retrieval.status, similarTests: result.retrieval.documents.length } : null,
    links: { temporalUi: run.links.temporalUi },
  };
}

export type CondensedRun = ReturnType<typeof condenseRun>;
