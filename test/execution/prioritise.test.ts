import {
  apfd, failureEvidence, hashSeed, mulberry32, prioritise, sampleBeta, sampleGamma, selectForRun,
  type ExecutionHistory, type OutcomeRecord, type PrioritisedTest, type RecordedOutcome,
} from '../../lib/execution/prioritise';

const test_ = (id: string, operationId?: string, file = 'tests/a.test.ts'): PrioritisedTest => ({ id, file, ...(operationId ? { operationId } : {}) });
const records = (outcomes: RecordedOutcome[]): OutcomeRecord[] => outcomes.map((outcome, i) => ({ execution: i + 1, outcome }));
const ids = (tests: PrioritisedTest[]) => tests.map((t) => t.id);
const seeds = (count: number) => Array.from({ length: count }, (_, i) => `seed-${i}`);
const repeat = (outcome: RecordedOutcome, count: number): RecordedOutcome[] => Array.from({ length: count }, () => outcome);

describe('apfd', () => {
  // The textbook example (Elbaum, Malishevsky & Rothermel, "Prioritizing test cases for regression
  // testing", 2000): tests A–E, faults 1–10; A finds 1 2, B finds 3 4, C finds 1–7, D finds 5, E finds 8 9 10.
  const faults = new Map<string, Set<string>>([
    ['f1', new Set(['A', 'C'])], ['f2', new Set(['A', 'C'])], ['f3', new Set(['B', 'C'])], ['f4', new Set(['B', 'C'])],
    ['f5', new Set(['C', 'D'])], ['f6', new Set(['C'])], ['f7', new Set(['C'])],
    ['f8', new Set(['E'])], ['f9', new Set(['E'])], ['f10', new Set(['E'])],
  ]);

  it('gives the published figures of the textbook example', () => {
    // A B C D E: TF = 1 1 2 2 3 3 3 5 5 5 → ΣTF = 30; 1 − 30/50 + 1/10 = 0.50
    expect(apfd(['A', 'B', 'C', 'D', 'E'], faults)).toBeCloseTo(0.5, 10);
    // E D C B A: TF of 8 9 10 = 1, of 5 = 2, of 1 2 3 4 6 7 = 3 → ΣTF = 3 + 2 + 18 = 23; 1 − 23/50 + 1/10 = 0.64
    expect(apfd(['E', 'D', 'C', 'B', 'A'], faults)).toBeCloseTo(0.64, 10);
    // C E B A D: TF of 1–7 = 1, of 8 9 10 = 2 → ΣTF = 7 + 6 = 13; 1 − 13/50 + 1/10 = 0.84
    expect(apfd(['C', 'E', 'B', 'A', 'D'], faults)).toBeCloseTo(0.84, 10);
  });

  it('scores one fault found by the first or the last of two tests', () => {
    const one = new Map([['f', new Set(['x'])]]);
    // n = 2, m = 1: 1 − 1/2 + 1/4 = 0.75 and 1 − 2/2 + 1/4 = 0.25
    expect(apfd(['x', 'y'], one)).toBeCloseTo(0.75, 10);
    expect(apfd(['y', 'x'], one)).toBeCloseTo(0.25, 10);
  });

  it('leaves out faults no test detects, and counts a fault whose detectors were cut as found after the last test', () => {
    // 'nobody' is ignored: m = 1, the same 0.75 as above.
    expect(apfd(['x', 'y'], new Map([['f', new Set(['x'])], ['nobody', new Set<string>()]]))).toBeCloseTo(0.75, 10);
    // 'g' is found only by z, which a budget cut: TF = n + 1 = 3. ΣTF = 1 + 3 = 4; 1 − 4/4 + 1/4 = 0.25
    expect(apfd(['x', 'y'], new Map([['f', new Set(['x'])], ['g', new Set(['z'])]]))).toBeCloseTo(0.25, 10);
  });

  it('answers null without faults or tests, and refuses a test listed twice', () => {
    expect(apfd(['x'], new Map())).toBeNull();
    expect(apfd([], new Map([['f', new Set(['x'])]]))).toBeNull();
    expect(() => apfd(['x', 'x'], new Map([['f', new Set(['x'])]]))).toThrow(/twice/);
  });
});

describe('failure evidence', () => {
  it('weighs an outcome half as much per half-life of age, a flaky one half a failure and half a pass', () => {
    // Ordering execution 9: ages 8 and 4 with half-life 4 → weights 0.25 and 0.5.
    const evidence = failureEvidence([{ execution: 1, outcome: 'failed' }, { execution: 5, outcome: 'passed' }], 9, 4);
    expect(evidence.failures).toBeCloseTo(0.25, 10);
    expect(evidence.passes).toBeCloseTo(0.5, 10);
    const flaky = failureEvidence([{ execution: 8, outcome: 'flaky' }, { execution: 7, outcome: 'skipped' }], 9, 4);
    const weight = 0.5 ** (1 / 4);
    expect(flaky.failures).toBeCloseTo(weight / 2, 10);
    expect(flaky.passes).toBeCloseTo(weight / 2, 10);
  });
});

describe('prioritise', () => {
  it('puts a test that failed recently before one that failed as often long ago', () => {
    // 40 executions each; 5 failures, in the last five executions or in the first five.
    const recent = [...repeat('passed', 35), ...repeat('failed', 5)];
    const old = [...repeat('failed', 5), ...repeat('passed', 35)];
    const history: ExecutionHistory = new Map([['recent', records(recent)], ['old', records(old)]]);
    const tests = [test_('old'), test_('recent')];
    const recentFirst = seeds(200).filter((seed) => prioritise(tests, history, { seed })[0].id === 'recent').length;
    expect(recentFirst).toBeGreaterThanOrEqual(190);
    // Without decay (an endless half-life) the two records are the same evidence.
    const undecayed = (id: string) => failureEvidence(history.get(id) ?? [], 41, 1e12);
    expect(undecayed('recent').failures).toBeCloseTo(undecayed('old').failures, 6);
  });

  it('puts the tests of changed operations first, whatever their history', () => {
    const history: ExecutionHistory = new Map([
      ['always-fails', records(repeat('failed', 20))],
      ['changed-a', records(repeat('passed', 20))],
      ['changed-b', records(repeat('passed', 20))],
    ]);
    const tests = [test_('always-fails', 'listPets'), test_('changed-a', 'createPet'), test_('changed-b', 'deletePet'), test_('scenario')];
    for (const seed of seeds(50)) {
      const order = ids(prioritise(tests, history, { seed, changedOperations: new Set(['createPet', 'deletePet']) }));
      expect(new Set(order.slice(0, 2))).toEqual(new Set(['changed-a', 'changed-b']));
      // The rest by their draws: the never-run scenario can outdraw the failing test (exploration).
      expect(new Set(order.slice(2))).toEqual(new Set(['always-fails', 'scenario']));
    }
  });

  it('gives the same order for the same seed, whatever order the tests come in', () => {
    const tests = Array.from({ length: 30 }, (_, i) => test_(`t${i}`, `op${i % 4}`, `tests/${i % 3}.test.ts`));
    const history: ExecutionHistory = new Map(tests.map((t, i) => [t.id, records([i % 2 ? 'failed' : 'passed', i % 3 ? 'passed' : 'failed'])]));
    const order = ids(prioritise(tests, history, { seed: 42 }));
    expect(ids(prioritise([...tests].reverse(), history, { seed: 42 }))).toEqual(order);
    expect(ids(prioritise(tests, history, { seed: '42' }))).toEqual(order);
    expect(ids(prioritise(tests, history, { seed: 43 }))).not.toEqual(order);
    expect([...order].sort()).toEqual(ids(tests).sort());
  });

  it('does not starve a test that never ran: it reaches the top three for some seeds', () => {
    const tests = [...Array.from({ length: 10 }, (_, i) => test_(`known${i}`)), test_('new')];
    // Each known test failed 3 of its last 10 executions (posterior mean ≈ 1/3); the new one has only the prior.
    const history: ExecutionHistory = new Map(tests.filter((t) => t.id !== 'new')
      .map((t, i) => [t.id, records(Array.from({ length: 10 }, (_, k): RecordedOutcome => ((k + i) % 10 < 3 ? 'failed' : 'passed')))]));
    const inTopThree = seeds(300).filter((seed) => ids(prioritise(tests, history, { seed }).slice(0, 3)).includes('new')).length;
    expect(inTopThree).toBeGreaterThan(30);
    expect(inTopThree).toBeLessThan(300);
  });

  it('refuses a half-life that is not positive', () => {
    expect(() => prioritise([test_('a')], new Map([['a', records(['failed'])]]), { seed: 1, halfLife: 0 })).toThrow(/halfLife/);
  });
});

describe('selectForRun', () => {
  const ordered = ['a', 'b', 'c', 'd'];

  it('takes the top of the order up to the budget, all of it without one', () => {
    expect(selectForRun(ordered, { budget: 2 })).toEqual(['a', 'b']);
    expect(selectForRun(ordered, { budget: 0 })).toEqual([]);
    expect(selectForRun(ordered, { budget: 10 })).toEqual(ordered);
    expect(selectForRun(ordered)).toEqual(ordered);
  });

  it('refuses a budget that is not a whole number of tests', () => {
    expect(() => selectForRun(ordered, { budget: -1 })).toThrow(/budget/);
    expect(() => selectForRun(ordered, { budget: 1.5 })).toThrow(/budget/);
  });
});

describe('sampling', () => {
  const mean = (draw: () => number, count = 20_000) => Array.from({ length: count }, draw).reduce((a, b) => a + b, 0) / count;

  it('draws Beta and Gamma variates with the right means', () => {
    const random = mulberry32(hashSeed('sampling'));
    expect(mean(() => sampleBeta(2, 5, random))).toBeCloseTo(2 / 7, 2);
    expect(mean(() => sampleBeta(1, 1, random))).toBeCloseTo(0.5, 2);
    expect(mean(() => sampleGamma(0.5, random))).toBeCloseTo(0.5, 1);
    expect(mean(() => sampleGamma(9, random))).toBeCloseTo(9, 1);
  });

  it('repeats a sequence for a seed', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
