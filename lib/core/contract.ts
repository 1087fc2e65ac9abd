/**
 * What flows between the workflow and its activities. Only ids and summaries travel through
 * workflow history; spec documents and generated files stay in the database.
 */
import type { StageSettings, StageSettingsMap } from './stage-settings';
import type { CoverageFigure } from './coverage';
import type { TargetConfig } from './target';
import type { FrameworkName } from './frameworks';
import type { ArtifactKind, ExecutionKind, RunStatus, SpecSource, StageName, TriggerKind } from './run';

/** Where an indexed test case came from: a run of either trigger, or a repository's existing tests. */
export type CaseOrigin = TriggerKind | 'seed';

export interface GenerateTestsInput {
  trigger: TriggerKind;
  repository: string;
  /**
   * Exactly one of `spec` and `issue` is set. `name`: with the repository, the spec's identity
   * across revisions (absent in runs started before names existed).
   */
  spec?: { id: string; source: SpecSource; name?: string };
  /** `specPaths`: where the repository's OpenAPI spec may be, for executable tests of the operations the issue names. */
  issue?: { number: number; specPaths?: string[] };
  /** Framework of a spec run's generated suite; absent in runs started before the choice existed (Jest). */
  framework?: FrameworkName;
  /** Reviewer feedback that asked for this generation (`/testloom regenerate …`). */
  feedback?: string[];
  /** Deliver `.github/workflows/testloom.yml` with a spec run's suite; absent in runs started before it existed (no). */
  ciWorkflow?: boolean;
  /** Run the generated suite against this API before committing (execute stage); absent: no execute stage. */
  execution?: ExecutionRequest;
  /** Snapshot of temporal.yaml's activity settings at start, so history replays identically. */
  settings: {
    taskQueue: string;
    /** The task queue of the stage that calls models (generate); absent in runs started before it existed. */
    llmTaskQueue?: string;
    /** The task queue of the execute stage (suites run against APIs); absent in runs started before it existed (the llm queue). */
    executeTaskQueue?: string;
    stages: StageSettingsMap;
  };
}

/** A later execution of a finished run's suite (the executeRun workflow). */
export interface ExecuteRunInput {
  /** The run whose generated suite is executed. */
  runId: string;
  request: ExecutionRequest;
  /** Snapshot of the execute stage's settings at start, so history replays identically. */
  settings: { taskQueue: string; stage: StageSettings };
  /** Who asked for it; absent: `request` (the API or CLI). */
  kind?: Exclude<ExecutionKind, 'pipeline'>;
}

/** What the execute stage runs against, and how: credentials in `target.env` only as `${NAME}` references. */
export interface ExecutionRequest {
  target: TargetConfig;
  /** How many times the suite runs; a test whose outcome changes is flaky. */
  runs: number;
  timeLimitMs: number;
  /** Model repair rounds for tests that fail through their own fault; 0: they are dropped. */
  healRounds: number;
  /**
   * Later executions only (the execute stage before commit runs every test): stop each run at the
   * first failing test, tests ordered by how likely they are to fail. Absent in requests made before it existed.
   */
  failFast?: boolean;
  /** Later executions only: run only this many tests, the top of that order; the others are reported skipped. */
  budget?: number;
}

/** What the repository's `.testloom.yml` changes about where a run delivers; absent: the defaults. */
export interface DeliverySettings {
  /** Folder the suites go under (`tests/testloom`). */
  outputRoot?: string;
  /** Start of the run's branch name (`testloom/`). */
  branchPrefix?: string;
  /** `.testloom.yml` could not be used: its problems, as markdown naming each key; the run went on with the defaults. */
  configProblems?: string;
  /** What an execution must reach: documented status codes covered (percent), flaky tests at most. */
  thresholds?: { minStatusCodeCoverage?: number; maxFlakyTests?: number };
  /** False: no comments on the issue or pull request (`.testloom.yml` pullRequestComments). */
  comments?: boolean;
  /** Labels the pull request gets besides testloom's own. */
  reviewLabels?: string[];
  /** `.testloom.yml` schedule: re-execute the delivered suite periodically (spec runs). */
  schedule?: ConfiguredSchedule;
}

/** A schedule a repository asks for: cron or interval (as given), and the target `.testloom.yml` names, if any. */
export interface ConfiguredSchedule {
  cron?: string;
  interval?: string;
  target?: TargetConfig;
}

export interface SpecSubject {
  kind: 'spec';
  specId: string;
  repository: string;
  title: string;
  version?: string;
  openapiVersion: string;
  operationCount: number;
  source: SpecSource;
  /** Short, filesystem-safe name used for the output folder. */
  slug: string;
  framework?: FrameworkName;
  /** With the repository, the spec's identity across revisions (absent in runs started before names existed). */
  name?: string;
  /** How this revision differs from the last one delivered under the same name; absent for the first. */
  revision?: SpecRevision;
  /** Deliver the CI workflow that runs the suite in the repository's own CI. */
  ciWorkflow?: boolean;
  delivery?: DeliverySettings;
}

/** One operation of a revision's change summary. */
export interface OperationChange {
  /** `GET /pets/{petId}`. */
  operation: string;
  operationId: string;
  /** A removed operation, or a change a client written for the earlier revision can trip over. */
  breaking: boolean;
  /** What changed, in words; empty for an added or removed operation. */
  details: string[];
}

export interface RevisionChanges {
  added: OperationChange[];
  changed: OperationChange[];
  removed: OperationChange[];
}

export interface SpecRevision {
  /** The run that delivered the revision before, and its spec. */
  previousRunId: string;
  previousSpecId: string;
  changes: RevisionChanges;
}

/** A similar existing test case handed to generation; `score` is cosine similarity. */
/** An issue normalised for generation: what receive read through the repository host. */
export interface IssueSubject {
  kind: 'issue';
  repository: string;
  number: number;
  title: string;
  body: string;
  labels: string[];
  author: string;
  url: string;
  /** Acceptance criteria found in the body (checklist items or an "Acceptance criteria" section). */
  acceptanceCriteria: string[];
  /** Short, filesystem-safe name used for the output folder. */
  slug: string;
  /** Where the repository's OpenAPI spec may be; absent in runs started before this existed. */
  specPaths?: string[];
  framework?: FrameworkName;
  delivery?: DeliverySettings;
}

export type Subject = SpecSubject | IssueSubject;

export interface RetrievedDocument {
  id: string;
  title: string;
  score: number;
  kind: string;
  /** File of the existing test, relative to the repository root. */
  path: string;
  origin: CaseOrigin;
  /** The embedded text (title, request, expectation or a snippet of the test). */
  text: string;
}

export interface RetrievalOutcome {
  /** `degraded`: the vector store could not be used after retries; the run goes on without context. */
  status: 'not configured' | 'ok' | 'degraded';
  documents: RetrievedDocument[];
  /** Why retrieval is degraded or not configured. */
  reason?: string;
}

/** What finalize added to the retrieval index. */
export interface IndexingOutcome {
  status: 'ok' | 'not configured' | 'degraded';
  indexed: number;
  reason?: string;
}

export interface GenerationOutcome {
  outDir: string;
  files: { path: string; kind: ArtifactKind }[];
  caseCount: number;
  casesByKind: Record<string, number>;
  notes: string[];
  /** What the language model contributed; absent in runs recorded before models were wired in. */
  model?: ModelUsage;
  /** Files the quality gates dropped, with the reason (after one model repair round where a model was available). */
  dropped?: { path: string; gate: string; reason: string }[];
  /** The generated suite the execute stage can run: its folder and the stored spec it tests; absent when there is none. */
  executable?: { suiteDir: string; specId: string; framework: FrameworkName };
}

export interface TestRef {
  file: string;
  fullName: string;
}

/** What executing the generated suite found, for the pull request, the issue comment and the run's result. */
export interface ExecutionSummary {
  status: 'executed' | 'skipped';
  /** Why nothing was executed. */
  reason?: string;
  baseUrl: string;
  runs: number;
  /** Tests the suite held. */
  tests: number;
  /** Delivered tests that passed every run (healed ones included). */
  passed: number;
  healed: (TestRef & { rounds: number; explanation: string })[];
  /** Kept out of the commit: their outcome changed between runs. `failure`: what a failing run saw (absent in runs recorded before it existed). */
  flaky: (TestRef & { outcomes: string[]; failure?: string })[];
  /** Kept out of the commit: failed through their own fault and not repaired. `failure`: the test's actual failure (the assertion, the status it saw). */
  dropped: (TestRef & { reason: string; failure?: string })[];
  /**
   * Kept out of the commit, whether they passed or failed: their operation's baseline (its happy
   * path) failed, so the cases derived from it prove nothing (or the test's own setup step failed).
   * `reason`: `baseline failed: <the baseline's actual failure>`. Absent in runs recorded before it existed.
   */
  baselineFailed?: (TestRef & { operationId?: string; outcome: 'passed' | 'failed' | 'flaky' | 'skipped'; reason: string; baseline?: TestRef })[];
  /**
   * The API's answer contradicts the spec: the test is kept in the commit, failing — or, with
   * `testPasses`, passing, because what it asserts holds although the answer breaks the spec.
   */
  apiDefects: (TestRef & { operationId?: string; reasons: string[]; reproducer?: string; testPasses?: boolean })[];
  /** Kept, not verified: a request was refused by the safety policy or the API did not answer. */
  blocked: (TestRef & { reason: string })[];
  /** Files left out of the commit entirely. */
  withheldFiles: { path: string; reason: string }[];
  /** What the delivered suite exercised. */
  coverage?: { operations: CoverageFigure; statusCodes: CoverageFigure; parameters: CoverageFigure; requestBodyProperties: CoverageFigure };
}

/** The model side of a generation, for the run's results and the pull request body. */
export interface ModelUsage {
  /** `unavailable`: configured but no provider answered; the deterministic suite was delivered without model-written tests. */
  status: 'ok' | 'not configured' | 'unavailable' | 'budget exceeded' | 'invalid output';
  reason?: string;
  /** provider/model of each task that got an answer, e.g. `{ "issue-test-cases": "ollama/llama3.1" }`. */
  models: Record<string, string>;
  calls: number;
  cacheHits: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number | null;
}

export interface CommitOutcome {
  branch: string;
  baseBranch: string;
  commitSha: string;
  created: boolean;
}

export interface ReviewOutcome {
  id: number;
  url: string;
  created: boolean;
}

export interface RunResult {
  status: 'completed' | 'cancelled';
  subject?: Subject;
  retrieval?: RetrievalOutcome;
  generation?: GenerationOutcome;
  execution?: ExecutionSummary;
  commit?: CommitOutcome;
  review?: ReviewOutcome;
  indexing?: IndexingOutcome;
  reason?: string;
}

export type StageProgress = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'skipped';

/** Answer of the workflow's `status` query. */
export interface RunState {
  status: RunStatus;
  stage?: StageName;
  stages: Record<StageName, { progress: StageProgress; startedAt?: string; endedAt?: string }>;
  retrieval?: RetrievalOutcome['status'];
  error?: { stage: StageName; message: string; type?: string };
  cancelReason?: string;
  /** Reviewer feedback (`/testloom regenerate …`), oldest first: what this run started with, then what arrived while it ran. */
  feedback: string[];
}

export interface RunEnd {
  status: 'failed' | 'cancelled';
  stage?: StageName;
  reason: string;
}
