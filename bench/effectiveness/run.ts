/**
 * Seeded faults: does a generated suite fail where the correct API passes? Each sample API of
 * apis/ (an Express app implementing its spec.yaml, with faults.ts) runs once correct and once per
 * seeded fault, each time fresh; testloom's deterministic suite (plus model-planned scenarios when
 * a model answers) and Schemathesis run against it, both through testloom's recording proxy, so
 * one piece of code measures both tools' coverage. Prints per fault whether each tool detected it,
 * then per API and over all of them: faults detected / total, tests failing on the correct API,
 * documented status codes exercised, requests sent and each tool's wall time.
 * Usage: tsx bench/effectiveness/run.ts [api[:fault] …]   (default: every fault of every API)
 */
import { BENCH_APIS, type BenchApi } from './apis';
import { CORRECT_RUNS, FAULT_RUNS, figure, measureApi, seconds, type ApiFigures, type ToolFigures } from './measure';
import { ensureSchemathesis } from './schemathesis';

interface Selection {
  api: BenchApi;
  faults: string[];
}

/** `api` (all its faults), `api:fault`, or a fault name only one API has; in the bench's API order. */
function parseSelection(args: string[]): Selection[] {
  const apiNames = BENCH_APIS.map((a) => a.name).join(', ');
  const chosen = new Map<BenchApi, Set<string>>();
  const add = (api: BenchApi, faults: string[]) => {
    const set = chosen.get(api) ?? new Set<string>();
    for (const fault of faults) set.add(fault);
    chosen.set(api, set);
  };
  for (const arg of args.length ? args : BENCH_APIS.map((a) => a.name)) {
    const [name, fault] = arg.includes(':') ? arg.split(':', 2) : [arg, undefined];
    const api = BENCH_APIS.find((a) => a.name === name);
    if (api && fault === undefined) {
      add(api, Object.keys(api.faults));
    } else if (api && fault !== undefined) {
      if (!(fault in api.faults)) throw new Error(`unknown fault ${fault} of ${api.name}; its faults: ${Object.keys(api.faults).join(', ')}`);
      add(api, [fault]);
    } else {
      const owners = BENCH_APIS.filter((a) => arg in a.faults);
      if (owners.length !== 1) throw new Error(`${arg} is ${owners.length ? `a fault of ${owners.map((a) => a.name).join(' and ')}: name it as api:fault` : `no API (${apiNames}) and no fault`}`);
      add(owners[0], [arg]);
    }
  }
  return BENCH_APIS.filter((api) => chosen.has(api)).map((api) => ({ api, faults: [...(chosen.get(api) ?? [])] }));
}

function sumFigures(figures: ToolFigures[]): ToolFigures {
  const covered = figures.reduce((n, f) => n + f.statusCodes.covered, 0);
  const total = figures.reduce((n, f) => n + f.statusCodes.total, 0);
  return {
    detected: figures.reduce((n, f) => n + f.detected, 0),
    failingOnCorrect: figures.reduce((n, f) => n + f.failingOnCorrect, 0),
    statusCodes: { covered, total, percent: total ? Math.round((covered / total) * 1000) / 10 : null },
    requests: figures.reduce((n, f) => n + f.requests, 0),
    ms: figures.reduce((n, f) => n + f.ms, 0),
  };
}

function printSummary(all: ApiFigures[]): void {
  const line = (label: string, tl: string, st: string) => console.log(`${label.padEnd(34)}${tl.padEnd(28)}${st}`);
  const block = (name: string, faults: number, tl: ToolFigures, st: ToolFigures, withModel?: number) => {
    line(`${name}: faults detected`, `${tl.detected}/${faults}${withModel === undefined ? '' : ` (${withModel} with model)`}`, `${st.detected}/${faults}`);
    line('  failing on the correct API', `${tl.failingOnCorrect} tests`, `${st.failingOnCorrect} failures`);
    line('  documented status codes', figure(tl.statusCodes), figure(st.statusCodes));
    line('  requests sent', String(tl.requests), String(st.requests));
    line('  wall time', seconds(tl.ms), seconds(st.ms));
  };
  console.log(`\n${'=== summary'.padEnd(34)}${'testloom (deterministic)'.padEnd(28)}schemathesis`);
  for (const a of all) block(a.api, a.faults, a.testloom, a.schemathesis, a.withModel);
  if (all.length > 1) {
    const withModel = all.every((a) => a.withModel !== undefined) ? all.reduce((n, a) => n + (a.withModel ?? 0), 0) : undefined;
    block('all APIs', all.reduce((n, a) => n + a.faults, 0), sumFigures(all.map((a) => a.testloom)), sumFigures(all.map((a) => a.schemathesis)), withModel);
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const selection = parseSelection(process.argv.slice(2));
  console.log(`effectiveness: ${selection.map((s) => `${s.api.name} (${s.faults.length} faults)`).join(', ')}`);
  const installStarted = performance.now();
  const st = await ensureSchemathesis();
  console.log(`schemathesis ${st.version} (${st.installedNow ? `installed into .venv in ${seconds(performance.now() - installStarted)}` : 'already in .venv'})`);
  console.log(`runs: testloom ${CORRECT_RUNS}× on the correct API (flaky tests show), ${FAULT_RUNS}× per fault; schemathesis once each (fixed seed)`);
  console.log('detected: testloom when a test that passed in every run on the correct API fails, or a passing test newly reports a possible API defect (an answer contradicting the spec); schemathesis when its report names a (check, operation) failure its run on the correct API did not');
  const all: ApiFigures[] = [];
  for (const { api, faults } of selection) all.push(await measureApi(api, faults));
  printSummary(all);
  console.log(`elapsed: ${seconds(performance.now() - started)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
