/**
 * Edits the source of a pytest test file through Python's own parser (python_test_tree.py, run by
 * the interpreter python.ts finds): after a suite was run several times against a live API, flaky
 * and unrepairable tests are removed before commit. The pytest counterpart of jest/test-source.ts.
 *
 * Tests are what pytest collects by default: functions named `test…` at module level or in a class
 * named `Test…` (without `__init__`, nested classes too). A test is named as
 * testloom_pytest_plugin.py names it: `<Class> <docstring>`, or its node id without the file
 * (`TestPets::test_list`) when it has no docstring or is parametrized.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { scriptPython } from './python';
import { runsOf } from '../shared/consecutive';

const TREE_SCRIPT = path.join(__dirname, 'python_test_tree.py');
const TIMEOUT_MS = 30_000;

export interface PythonTestInSource {
  /** The name execution reports it by (TestResult.fullName). */
  fullName: string;
  /** Its docstring, or the function's name without one. */
  title: string;
  /** pytest's node id without the file: `TestShowItem::test_returns_200_for_a_valid_request`. */
  nodeName: string;
  /** 1-based lines of the definition, its decorators included. */
  startLine: number;
  endLine: number;
}

interface Statement {
  kind: 'function' | 'class' | 'other';
  start: number;
  end: number;
  name?: string;
  docstring?: string | null;
  parametrized?: boolean;
  hasInit?: boolean;
  body?: Statement[];
}

interface Scope {
  classes: string[];
  parametrized: boolean;
}

/** The source's statements, from Python's parser; throws an Error naming a syntax error. */
async function statementsOf(source: string): Promise<Statement[]> {
  const python = await scriptPython();
  const output = await new Promise<string>((resolve, reject) => {
    const child = execFile(python, ['-I', TREE_SCRIPT], { timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, env: { PATH: process.env.PATH ?? '', PYTHONDONTWRITEBYTECODE: '1' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`reading the Python test file failed (${python}): ${(err as { killed?: boolean }).killed ? `no answer within ${TIMEOUT_MS} ms` : err.message}${stderr ? `\n${stderr.trim()}` : ''}`));
      else resolve(stdout);
    });
    child.stdin?.end(JSON.stringify({ source }));
  });
  const parsed = JSON.parse(output) as { body?: Statement[]; error?: string };
  if (parsed.error !== undefined) throw new Error(`the Python test file does not parse: ${parsed.error}`);
  return parsed.body ?? [];
}

const isTestFunction = (statement: Statement) => statement.kind === 'function' && statement.name!.startsWith('test');
const isTestClass = (statement: Statement) => statement.kind === 'class' && statement.name!.startsWith('Test') && !statement.hasInit;

function describeTest(statement: Statement, scope: Scope): PythonTestInSource {
  const nodeName = [...scope.classes, statement.name!].join('::');
  const docstring = statement.docstring?.trim() ? statement.docstring : undefined;
  const named = docstring !== undefined && !scope.parametrized && !statement.parametrized;
  return {
    fullName: named ? [...scope.classes, docstring].join(' ') : nodeName,
    title: docstring ?? statement.name!,
    nodeName,
    startLine: statement.start,
    endLine: statement.end,
  };
}

const innerScope = (scope: Scope, statement: Statement): Scope => ({
  classes: [...scope.classes, statement.name!],
  parametrized: scope.parametrized || Boolean(statement.parametrized),
});

function collect(statements: Statement[], scope: Scope): PythonTestInSource[] {
  return statements.flatMap((statement) => {
    if (isTestFunction(statement)) return [describeTest(statement, scope)];
    if (isTestClass(statement)) return collect(statement.body ?? [], innerScope(scope, statement));
    return [];
  });
}

/** Every test pytest would collect from the file, in source order. */
export async function listPythonTests(source: string): Promise<PythonTestInSource[]> {
  return collect(await statementsOf(source), { classes: [], parametrized: false });
}

/** Lines with their line breaks, split where Python's tokenizer splits them (\r\n, \n, \r; not \f or \u2028). */
function linesOf(source: string): string[] {
  return source.match(/[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$/g) ?? [];
}

const indentationOf = (line: string) => /^[ \t]*/.exec(line)![0];
const isBlank = (line: string) => line.trim() === '';
const isComment = (line: string) => line.trimStart().startsWith('#');

/** 1-based inclusive line range. */
interface Removal {
  from: number;
  to: number;
}

/**
 * The lines of `body[first..last]`: with the comments directly above them at their indentation
 * (`# listItems/happy-path` above a generated test) and any below them indented deeper (the last
 * lines of a function body). The blank lines that separated them from the statement before go too;
 * when they open their block and a statement follows, that statement's own separating blank lines
 * go instead, so none is left under a `class …:` line or at the top of the file.
 */
function removalOf(lines: string[], body: Statement[], first: number, last: number, blockStart: number): Removal {
  const line = (n: number) => lines[n - 1] ?? '';
  const indentation = indentationOf(line(body[first].start));
  const upper = first > 0 ? body[first - 1].end + 1 : blockStart;
  const lower = last < body.length - 1 ? body[last + 1].start - 1 : lines.length;
  let from = body[first].start;
  while (from - 1 >= upper && isComment(line(from - 1)) && indentationOf(line(from - 1)) === indentation) from--;
  let to = body[last].end;
  while (to + 1 <= lower && isComment(line(to + 1)) && indentationOf(line(to + 1)).length > indentation.length) to++;
  let blankAbove = 0;
  while (from - blankAbove - 1 >= upper && isBlank(line(from - blankAbove - 1))) blankAbove++;
  let blankBelow = 0;
  while (to + blankBelow + 1 <= lower && isBlank(line(to + blankBelow + 1))) blankBelow++;
  if (first > 0) return { from: from - blankAbove, to };
  if (last < body.length - 1) return { from, to: to + blankBelow };
  return { from: from - blankAbove, to: to + blankBelow };
}

interface RemovalPlan {
  removals: Removal[];
  removed: string[];
  remaining: number;
}

function planRemoval(lines: string[], body: Statement[], scope: Scope, blockStart: number, wanted: (test: PythonTestInSource) => boolean): RemovalPlan {
  const plan: RemovalPlan = { removals: [], removed: [], remaining: 0 };
  const removedIndices: number[] = [];
  body.forEach((statement, index) => {
    if (isTestFunction(statement)) {
      const test = describeTest(statement, scope);
      if (wanted(test)) {
        plan.removed.push(test.fullName);
        removedIndices.push(index);
      } else {
        plan.remaining++;
      }
    } else if (isTestClass(statement)) {
      const inner = planRemoval(lines, statement.body ?? [], innerScope(scope, statement), statement.start + 1, wanted);
      plan.removed.push(...inner.removed);
      // A class left without tests goes, helpers and all.
      if (inner.removed.length && !inner.remaining) {
        removedIndices.push(index);
      } else {
        plan.removals.push(...inner.removals);
        plan.remaining += inner.remaining;
      }
    }
  });
  plan.removals.push(...runsOf(removedIndices).map(([first, last]) => removalOf(lines, body, first, last, blockStart)));
  return plan;
}

/**
 * Removes the named tests (each with its decorators and the comments above it); a class left
 * without tests is removed too. Everything else stays byte-identical. A name may also be a
 * parametrized test's node id (`TestPets::test_list[2]`): its function goes, every parameter with
 * it. `removed` lists the names found, in source order; `remaining` counts the test functions left.
 */
export async function removePythonTests(source: string, fullNames: Iterable<string>): Promise<{ source: string; removed: string[]; remaining: number }> {
  const names = new Set(fullNames);
  const parametrizedIds = [...names].filter((name) => name.endsWith(']') && name.includes('['));
  const wanted = (test: PythonTestInSource) => names.has(test.fullName) || parametrizedIds.some((name) => name.startsWith(`${test.nodeName}[`));
  const lines = linesOf(source);
  const plan = planRemoval(lines, await statementsOf(source), { classes: [], parametrized: false }, 1, wanted);
  const dropped = new Set<number>();
  for (const { from, to } of plan.removals) for (let n = from; n <= to; n++) dropped.add(n);
  return {
    source: lines.filter((_, index) => !dropped.has(index + 1)).join(''),
    removed: [...new Set(plan.removed)],
    remaining: plan.remaining,
  };
}
