/**
 * The texts that get embedded. Queries and indexed cases use the same shape ("METHOD /path
 * (operationId): what it checks"), so an operation lands close to the tests written for it.
 */
import type { TriggerKind } from '../core/run';
import type { Operation } from '../openapi';
import type { StoredTestCase } from '../db/test-cases';
import { caseDocumentId, type CaseDocument } from './documents';

/** At most this many operations are queried for one spec (one Chroma query carries them all). */
const MAX_QUERY_OPERATIONS = 32;

function operationQuery(operation: Operation): string {
  const what = operation.summary?.replace(/\s+/g, ' ').trim() || operation.operationId;
  return `${operation.method.toUpperCase()} ${operation.path} (${operation.operationId}): ${what}`;
}

/** One query per operation (the first MAX_QUERY_OPERATIONS), or the title for a spec without any. */
export function specQueries(title: string, operations: Operation[]): string[] {
  if (operations.length === 0) return [title];
  return operations.slice(0, MAX_QUERY_OPERATIONS).map(operationQuery);
}

/** The issue as a whole (title and the start of the body) plus each acceptance criterion. */
export function issueQueries(issue: { title: string; body: string; acceptanceCriteria: string[] }): string[] {
  const whole = `${issue.title}\n${issue.body.replace(/\s+/g, ' ').trim()}`.slice(0, 1_000).trim();
  return [whole, ...issue.acceptanceCriteria.map((criterion) => `${issue.title}: ${criterion}`)].slice(0, MAX_QUERY_OPERATIONS);
}

function caseText(testCase: StoredTestCase): string {
  const endpoint = testCase.method && testCase.path ? `${testCase.method.toUpperCase()} ${testCase.path}` : undefined;
  const head = endpoint ? `${endpoint}${testCase.operationId ? ` (${testCase.operationId})` : ''}: ` : '';
  const expectation = testCase.expectedStatus ? `; expects ${testCase.expectedStatus}` : '';
  return `${head}${testCase.title}${expectation}`;
}

/** A generated case as a vector-store document; the id ignores the run, so a newer run's case replaces an older one. */
export function generatedCaseDocument(input: {
  repository: string;
  origin: TriggerKind;
  subject: string;
  runId: string;
  created: number;
  testCase: StoredTestCase;
}): CaseDocument {
  const { testCase } = input;
  const endpoint = testCase.method && testCase.path ? `${testCase.method.toUpperCase()} ${testCase.path}: ` : '';
  return {
    id: caseDocumentId(input.repository, input.subject, testCase.caseId),
    text: caseText(testCase),
    // Titles such as "returns 200 for a valid request" only make sense next to their endpoint.
    title: `${endpoint}${testCase.title}`,
    repository: input.repository,
    origin: input.origin,
    subject: input.subject,
    kind: testCase.kind,
    path: testCase.file,
    runId: input.runId,
    created: input.created,
  };
}
