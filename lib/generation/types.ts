import type { Artifact } from '../runs/types';
import type { HttpMethod } from '../openapi';

export type TestCaseKind = 'happy-path' | 'missing-required' | 'wrong-type';

export type ScalarValue = string | number | boolean;
/** Arrays are sent as repeated query parameters (`a=1&a=2`). */
export type QueryValue = ScalarValue | ScalarValue[];

export interface TestRequest {
  pathParams: Record<string, ScalarValue>;
  query: Record<string, QueryValue>;
  headers: Record<string, string>;
  body?: unknown;
}

export interface TestCase {
  /** Stable and readable: `createPet/missing-required/body.name`. */
  id: string;
  operationId: string;
  method: HttpMethod;
  path: string;
  kind: TestCaseKind;
  title: string;
  request: TestRequest;
  /** An exact status (`'201'`) or a class (`'2XX'`, `'4XX'`). */
  expectedStatus: string;
  /** The generated test file holding this case. */
  file: string;
}

export interface GeneratedSuite {
  cases: TestCase[];
  artifacts: Artifact[];
  notes: string[];
}

export interface GenerateSpecSuiteOptions {
  /** A dereferenced OpenAPI 3.0/3.1 or Swagger 2.0 document. */
  api: object;
  specId: string;
  /** Folder of the generated suite, relative to the target repository root, e.g. `tests/testloom/swagger-petstore`. */
  outDir: string;
  /** Defaults to the spec's `info.title`. */
  title?: string;
  /** Searched before the built-in templates, e.g. `<repo>/.testloom/templates`. */
  overrideTemplatesDir?: string;
  /** Similar existing tests found by retrieval, listed in the test-case document. */
  related?: RelatedTest[];
}

export interface RelatedTest {
  title: string;
  path: string;
  kind: string;
  /** Cosine similarity, 0-1. */
  score: number;
}
