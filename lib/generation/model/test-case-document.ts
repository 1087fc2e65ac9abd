/**
 * The test-case document a model writes for an issue: JSON constrained by a schema (sent to the
 * provider as its structured-output format and validated on return), rendered to Markdown by a
 * template. Each case traces to one of the issue's acceptance criteria.
 */
import type { JSONSchema } from '../../llm';

const CASE_PRIORITIES = ['high', 'medium', 'low'] as const;
const CASE_TYPES = ['functional', 'negative', 'boundary', 'security', 'performance', 'usability', 'regression'] as const;
/** What a case traces to when the issue lists no acceptance criteria, or the case covers none of them. */
const NO_CRITERION = 'none';

export interface IssueTestCase {
  id: string;
  title: string;
  preconditions: string[];
  steps: string[];
  expectedResult: string;
  priority: (typeof CASE_PRIORITIES)[number];
  type: (typeof CASE_TYPES)[number];
  /** The acceptance criterion it verifies, word for word, or `none`. */
  criterion: string;
}

export interface TestCaseDocument {
  cases: IssueTestCase[];
}

const text = (maxLength: number): JSONSchema => ({ type: 'string', minLength: 1, maxLength });

/**
 * The schema for one issue: `criterion` is an enum of its acceptance criteria, so a provider that
 * constrains decoding by the schema cannot invent one, and validation catches any other.
 */
export function testCaseDocumentSchema(acceptanceCriteria: string[]): JSONSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['cases'],
    properties: {
      cases: {
        type: 'array',
        minItems: 1,
        maxItems: 40,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'title', 'preconditions', 'steps', 'expectedResult', 'priority', 'type', 'criterion'],
          properties: {
            id: { type: 'string', pattern: '^TC-[0-9]{1,3}$' },
            title: text(200),
            preconditions: { type: 'array', maxItems: 10, items: text(500) },
            steps: { type: 'array', minItems: 1, maxItems: 20, items: text(500) },
            expectedResult: text(1000),
            priority: { type: 'string', enum: [...CASE_PRIORITIES] },
            type: { type: 'string', enum: [...CASE_TYPES] },
            criterion: { type: 'string', enum: [...acceptanceCriteria, NO_CRITERION] },
          },
        },
      },
    },
  };
}

/** Problems the schema cannot express: ids must be unique; every criterion should be covered. */
export function reviewDocument(document: TestCaseDocument, acceptanceCriteria: string[]): { duplicateIds: string[]; uncovered: string[] } {
  const seen = new Set<string>();
  const duplicateIds = document.cases.map((c) => c.id).filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
  const covered = new Set(document.cases.map((c) => c.criterion));
  return { duplicateIds: [...new Set(duplicateIds)], uncovered: acceptanceCriteria.filter((criterion) => !covered.has(criterion)) };
}
