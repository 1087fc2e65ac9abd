/**
 * Prioritised test execution (lib/execution/prioritise.ts), measured: replays the execution
 * histories under bench/prioritisation/histories/ — RECORDED, not simulated: testloom's generated
 * suites executed for real against successive revisions of the effectiveness bench's sample APIs,
 * seeded faults appearing and persisting for a few executions (see bench/prioritisation/record.ts,
 * which says what is derived rather than observed: the operations each revision changed).
 *
 * For every execution in which a seeded fault is active and some test detects it, the order each
 * strategy would have run the suite in — knowing only the executions before it — is scored by APFD
 * (average percentage of faults detected, 0–1, higher is better) and by the share of faults the
 * first 10% of that order finds (a test budget). Strategies: Thompson sampling over the history
 * with the changed operations' tests first; the same without changed operations (history only);
 * random order; the suite's file order. Sampling strategies are averaged over SEEDS seeds.
 * "new regressions" are the first execution of each fault, where history cannot know it yet.
 * Last, the prioritised order's APFD for a few half-lives of the history's decay.
 * Prints figures only; asserts nothing.
 *
 * Usage: npm run bench:prioritisation   (record histories first: tsx bench/prioritisation/record.ts)
 */
import { apfd, DEFAULT_HALF_LIFE, hashSeed, mulberry32, prioritise, selectForRun, type PrioritisedTest } from '../lib/execution/prioritise';
import { historyBefore, loadHistories, type RecordedExecution, type RecordedHistory } from './prioritisation/history';

const SEEDS = 10;
const BUDGET_SHARE = 0.1;
const HALF_LIVES = [2, 4, 8, 16, 32];
const STRATEGIES = ['prioritised', 'history only', 'random', 'file order'] as const;
type Strategy = (typeof STRATEGIES)[number];

interface Score {
  apfd: number;
  foundInBudget: number;
}

/** Scores of every strategy on one execution. */
type ExecutionScores = Record<Strategy, Score>;

function shuffled<T>(items: readonly T[], seed: string): T[] {
  const random = mulberry32(hashSeed(seed));
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

function detectableFaults(execution: RecordedExecution): Map<string, Set<string>> {
  return new Map(Object.entries(execution.detectedBy).filter(([, ids]) => ids.length).map(([fault, ids]) => [fault, new Set(ids)]));
}

function score(order: readonly PrioritisedTest[], faults: Map<string, Set<string>>): Score {
  const ids = order.map((t) => t.id);
  const budget = new Set(selectForRun(ids, { budget: Math.max(1, Math.round(ids.length * BUDGET_SHARE)) }));
  const found = [...faults.values()].filter((detectors) => [...detectors].some((id) => budget.has(id))).length;
  return { apfd: apfd(ids, faults) ?? 0, foundInBudget: found / faults.size };
}

function averaged(scores: Score[]): Score {
  return {
    apfd: scores.reduce((sum, s) => sum + s.apfd, 0) / scores.length,
    foundInBudget: scores.reduce((sum, s) => sum + s.foundInBudget, 0) / scores.length,
  };
}

function scoreExecution(history: RecordedHistory, execution: RecordedExecution, faults: Map<string, Set<string>>): ExecutionScores {
  const past = historyBefore(history, execution.sequence);
  const changedOperations = new Set(execution.changedOperations);
  const seeds = Array.from({ length: SEEDS }, (_, i) => `${history.api}:${execution.sequence}:${i}`);
  const overSeeds = (order: (seed: string) => PrioritisedTest[]) => averaged(seeds.map((seed) => score(order(seed), faults)));
  return {
    prioritised: overSeeds((seed) => prioritise(history.tests, past, { seed, changedOperations })),
    'history only': overSeeds((seed) => prioritise(history.tests, past, { seed })),
    random: overSeeds((seed) => shuffled(history.tests, seed)),
    'file order': score(history.tests, faults),
  };
}

/** Mean APFD of the prioritised order over every scored execution, for one half-life. */
function apfdWithHalfLife(histories: RecordedHistory[], halfLife: number, newOnly: boolean): number {
  const scores: number[] = [];
  for (const history of histories) {
    for (const [index, execution] of history.executions.entries()) {
      const faults = detectableFaults(execution);
      if (!faults.size || (newOnly && history.executions[index - 1]?.fault === execution.fault)) continue;
      const past = historyBefore(history, execution.sequence);
      const changedOperations = new Set(execution.changedOperations);
      for (let i = 0; i < SEEDS; i++) {
        const order = prioritise(history.tests, past, { seed: `${history.api}:${execution.sequence}:${i}`, changedOperations, halfLife });
        scores.push(apfd(order.map((t) => t.id), faults) ?? 0);
      }
    }
  }
  return scores.reduce((sum, s) => sum + s, 0) / scores.length;
}

function printHalfLives(histories: RecordedHistory[]): void {
  console.log(`
prioritised APFD by half-life (executions; default ${DEFAULT_HALF_LIFE})`);
  console.log(`${'half-life'.padEnd(12)}${'with a fault'.padStart(14)}${'new regressions'.padStart(18)}`);
  for (const halfLife of HALF_LIVES) {
    console.log(`${String(halfLife).padEnd(12)}${percent(apfdWithHalfLife(histories, halfLife, false)).padStart(14)}${percent(apfdWithHalfLife(histories, halfLife, true)).padStart(18)}`);
  }
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`.padStart(8);

function printTable(title: string, rows: [string, ExecutionScores[]][], pick: (s: Score) => number): void {
  console.log(`\n${title}`);
  console.log(`${''.padEnd(44)}${STRATEGIES.map((s) => s.padStart(14)).join('')}`);
  for (const [label, scores] of rows) {
    if (!scores.length) continue;
    const cells = STRATEGIES.map((s) => percent(scores.reduce((sum, e) => sum + pick(e[s]), 0) / scores.length).padStart(14));
    console.log(`${`${label} (${scores.length})`.padEnd(44)}${cells.join('')}`);
  }
}

function main(): void {
  const started = performance.now();
  const histories = loadHistories();
  if (!histories.length) {
    console.log('no histories under bench/prioritisation/histories/: record them with `tsx bench/prioritisation/record.ts`');
    return;
  }
  console.log(`prioritisation: ${histories.length} RECORDED histories (not simulated); sampling strategies averaged over ${SEEDS} seeds; budget = first ${BUDGET_SHARE * 100}% of the tests`);
  const rows: [string, ExecutionScores[]][] = [];
  const all: ExecutionScores[] = [];
  const allNew: ExecutionScores[] = [];
  for (const history of histories) {
    const faulty = history.executions.filter((e) => e.fault);
    const undetected = Object.keys(history.faults).filter((fault) => !faulty.some((e) => e.detectedBy[fault]?.length));
    console.log(`\n${history.api}: ${history.tests.length} tests, ${history.executions.length} executions (${faulty.length} with a fault), ${Object.keys(history.faults).length} faults`
      + `${undetected.length ? `, not detected by the suite (left out): ${undetected.join(', ')}` : ''}`);
    console.log(`  ${history.provenance}`);
    const scored: ExecutionScores[] = [];
    const firstOfFault: ExecutionScores[] = [];
    for (const [index, execution] of history.executions.entries()) {
      const faults = detectableFaults(execution);
      if (!faults.size) continue;
      const scores = scoreExecution(history, execution, faults);
      scored.push(scores);
      if (history.executions[index - 1]?.fault !== execution.fault) firstOfFault.push(scores);
    }
    rows.push([`${history.api}: executions with a fault`, scored], [`${history.api}: new regressions only`, firstOfFault]);
    all.push(...scored);
    allNew.push(...firstOfFault);
  }
  rows.push(['all: executions with a fault', all], ['all: new regressions only', allNew]);
  printTable('APFD, mean per execution (higher is better)', rows, (s) => s.apfd);
  printTable(`faults found by the first ${BUDGET_SHARE * 100}% of the order, mean per execution`, rows, (s) => s.foundInBudget);
  printHalfLives(histories);
  console.log(`\nelapsed: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main();
