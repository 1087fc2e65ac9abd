/**
 * Prioritised test execution: orders a suite's tests by how likely each is to fail now, learned
 * from the repository's execution history, so that a run cut short (by `--fail-fast` or a test
 * budget) still runs the tests most likely to find a regression.
 *
 * Each test's failure probability is a Beta(1 + failures, 1 + passes) posterior over its past
 * outcomes, each outcome weighted by 0.5^(age / halfLife) so an old failure counts less than a
 * recent one. Thompson sampling draws one probability per test and orders by it: a test with
 * little history (wide posterior) sometimes draws high and gets run early, so new tests are
 * explored instead of starved. Tests of operations changed in this revision come first.
 *
 * Pure and deterministic: the same tests, history and seed give the same order, whatever order the
 * tests are passed in (each test's draw comes from a generator seeded by the seed and its id).
 *
 * How a caller uses the order: run the tests in this order (or the first `budget` of them, see
 * selectForRun); with fail-fast, stop at the first failure — the order puts that failure as
 * early as the history allows. The runner, not this module, stops the run.
 */

/**
 * One execution's outcome of a test. `flaky`: the execution's re-runs disagreed (the execute stage
 * runs a suite several times); weak evidence either way, so it counts half a failure and half a
 * pass. `skipped`: no evidence, ignored.
 */
export type RecordedOutcome = 'passed' | 'failed' | 'flaky' | 'skipped';

export interface PrioritisedTest {
  /** Unique within the suite, e.g. `file\u0000fullName`. */
  id: string;
  file: string;
  /** The operation the test exercises; absent for scenarios spanning several. */
  operationId?: string;
}

export interface OutcomeRecord {
  /** The execution's sequence number in the repository's history (larger is newer). */
  execution: number;
  outcome: RecordedOutcome;
}

/** Test id → its recorded outcomes (any order). Tests absent from it have never run. */
export type ExecutionHistory = ReadonlyMap<string, readonly OutcomeRecord[]>;

export interface PrioritiseOptions {
  /** Operations changed in this revision: their tests go first. */
  changedOperations?: ReadonlySet<string>;
  seed: string | number;
  /** Age, in executions, at which an outcome weighs half as much as the newest. Default 8. */
  halfLife?: number;
  /** The sequence number of the execution being ordered; default one past the newest in `history`. */
  currentExecution?: number;
}

export const DEFAULT_HALF_LIFE = 8;

/** Decayed failure and pass counts of one test. */
export interface FailureEvidence {
  failures: number;
  passes: number;
}

export function failureEvidence(records: readonly OutcomeRecord[], currentExecution: number, halfLife = DEFAULT_HALF_LIFE): FailureEvidence {
  if (!(halfLife > 0)) throw new Error(`halfLife must be positive, got ${halfLife}`);
  let failures = 0;
  let passes = 0;
  for (const { execution, outcome } of records) {
    const weight = 0.5 ** (Math.max(0, currentExecution - execution) / halfLife);
    if (outcome === 'failed') failures += weight;
    else if (outcome === 'passed') passes += weight;
    else if (outcome === 'flaky') {
      failures += weight / 2;
      passes += weight / 2;
    }
  }
  return { failures, passes };
}

/** Tests in the order to run them. */
export function prioritise<T extends PrioritisedTest>(tests: readonly T[], history: ExecutionHistory, options: PrioritiseOptions): T[] {
  const halfLife = options.halfLife ?? DEFAULT_HALF_LIFE;
  const current = options.currentExecution ?? newestExecution(history) + 1;
  const changed = options.changedOperations ?? new Set<string>();
  const ranked = tests.map((test) => {
    const { failures, passes } = failureEvidence(history.get(test.id) ?? [], current, halfLife);
    const random = mulberry32(hashSeed(`${String(options.seed)}\u0000${test.id}`));
    return {
      test,
      changed: test.operationId !== undefined && changed.has(test.operationId),
      sample: sampleBeta(1 + failures, 1 + passes, random),
    };
  });
  ranked.sort((a, b) => Number(b.changed) - Number(a.changed)
    || b.sample - a.sample
    || compareText(a.test.file, b.test.file)
    || compareText(a.test.id, b.test.id));
  return ranked.map((r) => r.test);
}

/** The top of an ordered list: at most `budget` tests (all of them without a budget). */
export function selectForRun<T>(ordered: readonly T[], options: { budget?: number } = {}): T[] {
  const { budget } = options;
  if (budget === undefined) return [...ordered];
  if (!Number.isInteger(budget) || budget < 0) throw new Error(`budget must be a whole number of tests, got ${budget}`);
  return ordered.slice(0, budget);
}

/**
 * Average percentage of faults detected (Rothermel et al.): 1 − (TF_1 + … + TF_m) / (n·m) + 1/(2n),
 * where n is the number of tests in `order`, m the number of faults and TF_i the 1-based position of
 * the first test in `order` that detects fault i. Between 0 and 1, higher is better.
 *
 * Faults no test detects at all (an empty set) are left out: no order can find them. A fault whose
 * detecting tests are all missing from `order` (cut by a budget) counts as found one position after
 * the last test, TF_i = n + 1, so cutting a fault's only detector lowers the score.
 * Returns null when no fault is left to find or `order` is empty.
 */
export function apfd(order: readonly string[], faultsDetectedBy: ReadonlyMap<string, ReadonlySet<string>>): number | null {
  const position = new Map<string, number>();
  order.forEach((id, index) => {
    if (position.has(id)) throw new Error(`test ${id} appears twice in the order`);
    position.set(id, index + 1);
  });
  const n = order.length;
  const firstDetections: number[] = [];
  for (const detectors of faultsDetectedBy.values()) {
    if (detectors.size === 0) continue;
    let first = n + 1;
    for (const id of detectors) first = Math.min(first, position.get(id) ?? n + 1);
    firstDetections.push(first);
  }
  const m = firstDetections.length;
  if (n === 0 || m === 0) return null;
  const sum = firstDetections.reduce((total, tf) => total + tf, 0);
  return 1 - sum / (n * m) + 1 / (2 * n);
}

function newestExecution(history: ExecutionHistory): number {
  let newest = 0;
  for (const records of history.values()) for (const r of records) newest = Math.max(newest, r.execution);
  return newest;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A uniform draw in [0, 1). */
export type Random = () => number;

/** FNV-1a over the UTF-16 code units: a 32-bit seed from text. */
export function hashSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** mulberry32: a small, fast 32-bit generator, good enough for sampling (not for secrets). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function standardNormal(random: Random): number {
  // Box–Muller; 1 - u keeps the logarithm's argument in (0, 1].
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000); shapes below 1 through Gamma(shape + 1)·U^(1/shape). */
export function sampleGamma(shape: number, random: Random): number {
  if (!(shape > 0)) throw new Error(`gamma shape must be positive, got ${shape}`);
  if (shape < 1) return sampleGamma(shape + 1, random) * (1 - random()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = standardNormal(random);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Beta(alpha, beta) as X / (X + Y) with X ~ Gamma(alpha), Y ~ Gamma(beta). */
export function sampleBeta(alpha: number, beta: number, random: Random): number {
  const x = sampleGamma(alpha, random);
  const y = sampleGamma(beta, random);
  return x / (x + y);
}
