/**
 * A test framework testloom writes suites in, as one object (lib/frameworks/<name>/index.ts): how a
 * suite is rendered, its quality gate, how it runs and how its report is read, how its test source
 * is edited, and how its tests are named. Everything outside lib/frameworks asks the framework's
 * object instead of testing its name; what only some frameworks can do is an optional member.
 */
import type { ArtifactKind, Artifact } from '../core/run';
import type { FrameworkName } from '../core/frameworks';
import type { CompileCheck, GateOptions } from './shared/gate';
import type { SuiteRun } from './shared/results';
import type { SuiteFile, SuiteWorkspace } from './shared/workspace';

/** A rendered request of one step, in the target language's calling convention. */
export interface RequestCall {
  method: string;
  path: string;
  pathParams?: Record<string, unknown>;
  query?: Record<string, unknown>;
  headers?: Record<string, string>;
  body?: unknown;
  mediaType?: string;
  auth?: unknown;
}

/** What differs between output frameworks when a suite is rendered (lib/generation/spec-suite.ts): file names, identifiers, templates; the cases are shared. */
export interface SuiteRendering {
  /** `pets` → `pets.test.ts` / `test_pets.py`. */
  testFileName(slug: string): string;
  testTemplate: string;
  /** Support files rendered with the shared context: helpers, configuration. */
  supportFiles: { file: string; kind: ArtifactKind; template: string }[];
  /** How test files import the helpers. */
  helpersModule: string;
  /** A variable for a step's parsed body: `body` for one-step cases, else `createdBody` / `created_body`. */
  bodyVariable(responseVar: string, singleStep: boolean): string;
  /** Extra per-step template context for the request (the Jest template takes an object literal, pytest positional and keyword arguments). */
  requestContext(call: RequestCall): object;
  /** Per-case and per-operation identifiers (pytest needs function and class names). */
  caseContext(title: string, used: Set<string>): object;
  operationContext(operationId: string): object;
  /** How the reviewer runs the suite, for the pull request body: `API_BASE_URL=<your API> npx jest <outDir>`. */
  runCommand(outDir: string): string;
  /** Extra context of the suite's README (docs/README.md), e.g. the file its run command names. */
  readmeContext: object;
  /** Where model-planned scenario tests go and the template that renders them; absent: the framework gets none (a note says so). */
  modelScenarios?: { file: string; template: string };
}

/** The framework's compile gate over generated files (lib/generation/gates runs every framework's). */
export interface QualityGate {
  /** Its name in a GateFailure: `typescript`, `python-compile`. */
  name: string;
  /** The language of the files it checks, for the model asked to repair one: `TypeScript`, `Python`. */
  language: string;
  /** The files it checks (`.ts`, `.py`); when no artifact is one, it is not run. */
  checks(file: string): boolean;
  /**
   * Compiles or type-checks its files among `artifacts` (all of them are passed, for configuration
   * such as tsconfig.json), and counts each test file's assertions.
   */
  check(artifacts: Artifact[], options: GateOptions): Promise<CompileCheck>;
}

/** How one run of the suite is set up (lib/execution/validate-suite.ts). */
export interface RunOptions {
  /** Every variable the suite sees besides PATH, HOME, TMPDIR (and the runner's own); nothing of testloom's own environment is passed. */
  env: Record<string, string>;
  /** The recording proxy's origin: every request of the suite goes there, naming the test that sent it. */
  proxyOrigin: string;
  /** Time limit of one run. */
  timeLimitMs?: number;
  signal?: AbortSignal;
  /** Only these test files (relative to the repository root); default every test file of the suite. */
  testFiles?: string[];
  /** Which tests run first, how many, and whether the run stops at the first failure; absent: every test, in the runner's own order. */
  plan?: RunPlan;
}

/**
 * A prioritised run (lib/execution/prioritise.ts decides the order). Tests the run leaves out (past
 * the budget, or after a failure with `failFast`) are not reported by the runner; the caller
 * reports them as skipped.
 */
export interface RunPlan {
  /** Every test of the suite, in the order to run it (a test not in it runs after those in it). */
  order: { file: string; fullName: string }[];
  /** Run only the first `budget` tests of `order`. */
  budget?: number;
  /**
   * Stop at the first failing test. pytest stops right after it; Jest runs a file's tests in
   * source order and stops after the file holding the failure (its later tests still run).
   */
  failFast?: boolean;
}

/** The runs of one suite: `run` runs it once, its files named by `label`; `close` when no run follows. */
export interface PreparedRuns {
  run(label: string): Promise<SuiteRun>;
  close(): Promise<void>;
}

/** Running a generated suite against a live API and reading its report into the common result shape. */
export interface SuiteRunner {
  /** The file without which a suite cannot run (the quality gates may have dropped it), in the suite's folder: `jest.config.json`, `testloom_api.py`. */
  anchorFile: string;
  /** What makes a folder a suite of this framework, for the error when no framework recognises one. */
  suiteDescription: string;
  /** Whether `files` are a suite of this framework. */
  recognises(files: SuiteFile[]): boolean;
  /** Whether the runner runs `file` as a test file (`*.test.ts`, `test_*.py`). */
  isTestFile(file: string): boolean;
  /** The suite's folder, relative to the repository root; throws saying what is missing or doubled. */
  suiteDir(files: SuiteFile[]): string;
  /** What the runner needs in the workspace besides the suite's files (Jest: a package.json and testloom's node_modules). */
  prepareWorkspace(repoRoot: string): Promise<void>;
  /**
   * Everything the runs need (checking once that the suite can run at all: a missing runtime throws
   * a FrameworkUnavailableError).
   */
  prepare(workspace: SuiteWorkspace, options: RunOptions): Promise<PreparedRuns>;
}

/** A test as its file declares it, named as execution reports it. */
export interface ListedTest {
  /** The name execution reports it by (TestResult.fullName). */
  fullName: string;
  title: string;
}

export interface RemovedTests {
  source: string;
  /** The names found and removed, in source order. */
  removed: string[];
  /** Tests left in the file. */
  remaining: number;
}

/** A test's statement with its offsets in the file (leading comments included). */
export interface TestStatement extends ListedTest {
  start: number;
  end: number;
}

/** Splicing a model's repaired test into its file (lib/execution/heal.ts). */
export interface TestRepairEditor {
  listTests(source: string): TestStatement[];
  /** Checks that `code` is exactly one test statement and returns its title; throws saying what is wrong. */
  parseTestStatement(code: string): { title: string };
  /** Replaces the named test's statement with `replacement`; throws when it is not there exactly once. */
  replaceTest(source: string, fullName: string, replacement: string): string;
}

/** Editing a generated test file after execution: flaky and unrepairable tests are removed before commit. */
export interface TestSourceEditor {
  /** Every test the runner would collect from the file, in source order. */
  listTests(source: string): Promise<ListedTest[]>;
  /** Removes the named tests; a group (describe block, test class) left without tests goes too; everything else stays byte-identical. */
  removeTests(source: string, fullNames: Iterable<string>): Promise<RemovedTests>;
  /** Absent: the framework's tests are not repaired by a model; one at fault is dropped with the reason. */
  repair?: TestRepairEditor;
}

/** One step of a GitHub Actions job, as it is written in the workflow file. */
export interface WorkflowStep {
  name: string;
  id?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
  run?: string;
}

/**
 * The framework's job in the CI workflow delivered with a suite (lib/frameworks/ci-workflow.ts
 * assembles it: checkout, finding the suites by the runner's anchorFile, base URL and credentials,
 * the loop over the suites, the job summary and the uploaded reports).
 */
export interface CiJob {
  /** The job's name in the Actions UI: `Jest suites`. */
  title: string;
  /** Set up the runtime and install what the suites need; run only when a suite was found, `$TESTLOOM_SUITES` holding their folders, one a line. */
  setupSteps: WorkflowStep[];
  /** Bash run from the repository root: runs the suite in `$SUITE` (a relative folder), writes its report to `$REPORT`, exits non-zero on failure. */
  runSuite: string;
  /** The report file's extension: `json`, `xml`. */
  reportExtension: string;
}

export interface TestFramework {
  name: FrameworkName;
  /** For messages: `Jest`, `pytest`. */
  title: string;
  rendering: SuiteRendering;
  gate: QualityGate;
  runner: SuiteRunner;
  testSource: TestSourceEditor;
  /** How the repository's own CI runs the framework's suites (.github/workflows/testloom.yml). */
  ci: CiJob;
  /** The name execution gives the test of a generated case that sits in its operation's group (`createPet returns 201 …`, `TestCreatePet returns 201 …`). */
  caseFullName(operationId: string, title: string): string;
}
