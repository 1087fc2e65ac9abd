import type { Artifact } from '../core/run';
import type { FrameworkName } from '../core/frameworks';
import type { HttpMethod } from '../openapi';

export const TEST_CASE_KINDS = [
  'happy-path',
  'missing-required',
  'wrong-type',
  /** A value just outside a length, range, item-count or enum constraint: expects 4XX. */
  'boundary',
  /** A value exactly at a constraint's limit: expects success. */
  'at-boundary',
  /** No credentials where `security` is declared: expects 401 or 403. */
  'missing-auth',
  /** Credentials of the right form but wrong value: expects 401 or 403. */
  'invalid-auth',
  /** A path parameter naming nothing: expects 404. */
  'not-found',
  /** create → read → update → delete → read (404) on data the test created. */
  'crud-sequence',
  /** An OpenAPI link followed: the target called with values from the source response. */
  'link-sequence',
  /** A documented 409 provoked: a duplicate create, an action done twice, a delete of a resource others refer to. */
  'conflict',
  /** A body field naming another resource set to one that does not exist: expects 4XX. */
  'dangling-reference',
  /** Free text with quotes, brackets, a backslash and a percent sign in a query parameter: a valid value, expects success. */
  'special-characters',
  /** A write with only its required body fields: expects success and the documented answer. */
  'required-only',
  /** Behaviour an API of this shape promises: PATCH keeps what it did not send, a filter narrows, pages neither skip nor repeat. */
  'behaviour',
] as const;

export type TestCaseKind = (typeof TEST_CASE_KINDS)[number];

export type { FrameworkName };

export type ScalarValue = string | number | boolean;
/** Arrays are sent as repeated query parameters (`a=1&a=2`). */
export type QueryValue = ScalarValue | ScalarValue[];

export interface TestRequest {
  pathParams: Record<string, ScalarValue>;
  query: Record<string, QueryValue>;
  headers: Record<string, string>;
  body?: unknown;
  /** Credentials to send: `valid` reads them from the environment, `missing` strips them, `invalid` sends wrong ones. */
  auth?: RequestAuth;
  /**
   * Body fields (JSON pointer → rule) and path parameters (`path:<name>` → rule) given a fresh value at run time, so that repeated creates do
   * not collide on values an API keeps unique: the generated value with characters of the same
   * class replaced, so it still matches its pattern, format and length.
   */
  unique?: Record<string, UniqueRule>;
}

export interface UniqueRule {
  pattern?: string;
  format?: string;
}

export interface RequestAuth {
  credentials: 'valid' | 'missing' | 'invalid';
  /** Names of the security schemes concerned (keys of the suite's scheme table). */
  schemes: string[];
}

/** One request of a multi-step case. */
export interface TestStep {
  /** A short identifier for the step's response: `created`, `read`, `deleted`, `source`… */
  name: string;
  operationId: string;
  method: HttpMethod;
  path: string;
  request: TestRequest;
  expectedStatus: string;
  /** Values read from this step's JSON response for later steps: variable name → JSON pointer (e.g. `/id`). */
  capture?: Record<string, string>;
  /** Path parameter → variable captured by an earlier step. */
  bind?: Record<string, string>;
  /** Body field (JSON pointer) → variable captured by an earlier step: a reference to a resource it created. */
  bindBody?: Record<string, string>;
  /** Query parameter → variable captured by an earlier step (a page cursor). */
  bindQuery?: Record<string, string>;
  /** What the step's response must show beyond its status and schema. */
  checks?: StepCheck[];
  /** Creates (or lists) a resource the case needs; its failure is the case's precondition failing, not its finding. */
  setup?: boolean;
  /** How to delete what this step creates, after the test, where the API documents a DELETE for it. */
  cleanup?: StepCleanup;
}

/**
 * The documented DELETE of a created resource: `request` as its happy path sends it, with the
 * parent path parameters (`bind`: → variables of earlier steps); the id itself, `idParameter`, is
 * read from the creating response at `pointer` (else its Location header's last segment) at run time.
 */
export interface StepCleanup {
  operationId: string;
  path: string;
  request: TestRequest;
  bind?: Record<string, string>;
  idParameter: string;
  pointer: string;
}

/**
 * A check of a step's JSON body against what the test did before (JSON pointers; `items` points at
 * the array a list answers, `''` for the body itself):
 * - `same-as`: the value equals the same place in an earlier step's body (a field PATCH did not send);
 * - `cleared`: the value is null or absent (a nullable field sent as null);
 * - `equals`: the value is exactly the one sent (a number, boolean or enum member a write stored);
 * - `each-item`: every listed item holds `value` at `pointer`, or contains it when that is an array (a filter);
 * - `page-of`: the listed items are items `start`… `start + count - 1` of an earlier step's list,
 *   compared by `id` (a pointer within an item) or whole (pages neither skip nor repeat);
 * - `not-stored`: a read-only value the request sent is not what the answer holds (or the request
 *   was rejected with a 4xx).
 */
export type StepCheck =
  | { kind: 'same-as'; pointer: string; step: string }
  | { kind: 'cleared'; pointer: string }
  | { kind: 'equals'; pointer: string; value: ScalarValue }
  | { kind: 'each-item'; items: string; pointer: string; value: ScalarValue }
  | { kind: 'page-of'; items: string; step: string; start: number; count: number; id?: string }
  | { kind: 'not-stored'; pointer: string; value: ScalarValue };

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
  /** For multi-step cases (sequences, destructive happy paths on created data); `request` and `expectedStatus` are then those of the operation's own step. */
  steps?: TestStep[];
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
  /** Output framework: Jest + TypeScript (default) or pytest + requests. */
  framework?: FrameworkName;
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
