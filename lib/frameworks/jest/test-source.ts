/**
 * Edits the source of a generated Jest test file through the TypeScript syntax tree: after a suite
 * was run several times against a live API, flaky and unrepairable tests are removed before commit,
 * and a model-repaired test replaces the original one.
 */
import type * as TS from 'typescript';
import { ts } from './typescript';
import { runsOf } from '../shared/consecutive';

export interface TestInSource {
  fullName: string;
  title: string;
  /** Offsets of the whole statement, including its leading comments/blank line (node.getFullStart() … node.getEnd()). */
  start: number;
  end: number;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** A `test(...)`/`it(...)` or `describe(...)` call statement, in any of its forms (`.only`, `.each(...)(...)`…). */
interface JestCall {
  kind: 'test' | 'describe';
  statement: TS.ExpressionStatement;
  /** Unset when the name Jest gives it cannot be known here: a title that is not a literal, or a `.each` form. */
  title?: string;
  /** A describe's callback body. */
  body?: TS.Block;
}

interface FoundTest {
  fullName: string;
  title: string;
  statement: TS.ExpressionStatement;
}

const TEST_FUNCTIONS = new Set(['test', 'it']);
const DESCRIBE_FUNCTIONS = new Set(['describe']);
const TEST_MODIFIERS = new Set(['only', 'skip', 'concurrent']);
const DESCRIBE_MODIFIERS = new Set(['only', 'skip']);

function parse(source: string): TS.SourceFile {
  return ts.createSourceFile('test-source.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

function literalText(node: TS.Node | undefined): string | undefined {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

/** `test`, `it`, `describe` under the call: `test`, `test.only`, `test.each(table)`, ``describe.each`…` `` all lead to an identifier. */
function rootIdentifier(callee: TS.Expression): string | undefined {
  let node: TS.Expression = callee;
  while (ts.isPropertyAccessExpression(node) || ts.isCallExpression(node) || ts.isTaggedTemplateExpression(node)) {
    node = ts.isTaggedTemplateExpression(node) ? node.tag : node.expression;
  }
  return ts.isIdentifier(node) ? node.text : undefined;
}

/** Only these forms are named by their literal title alone: `fn` or `fn.modifier`. */
function isPlainForm(callee: TS.Expression, functions: Set<string>, modifiers: Set<string>): boolean {
  if (ts.isIdentifier(callee)) return functions.has(callee.text);
  return ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && functions.has(callee.expression.text)
    && modifiers.has(callee.name.text);
}

function callbackBody(call: TS.CallExpression): TS.Block | undefined {
  const callback = call.arguments[1];
  if (!callback || !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) return undefined;
  return ts.isBlock(callback.body) ? callback.body : undefined;
}

function jestCallOf(statement: TS.Statement): JestCall | undefined {
  if (!ts.isExpressionStatement(statement) || !ts.isCallExpression(statement.expression)) return undefined;
  const call = statement.expression;
  const root = rootIdentifier(call.expression);
  const kind = root && TEST_FUNCTIONS.has(root) ? 'test' : root && DESCRIBE_FUNCTIONS.has(root) ? 'describe' : undefined;
  if (!kind) return undefined;
  const plain = kind === 'test' ? isPlainForm(call.expression, TEST_FUNCTIONS, TEST_MODIFIERS) : isPlainForm(call.expression, DESCRIBE_FUNCTIONS, DESCRIBE_MODIFIERS);
  return { kind, statement, title: plain ? literalText(call.arguments[0]) : undefined, body: kind === 'describe' ? callbackBody(call) : undefined };
}

/** Jest's `fullName`: the enclosing describe titles and the test's own, joined by single spaces. */
function fullNameOf(titles: string[]): string {
  return titles.join(' ');
}

/** `undefined` ancestors: inside a describe whose name cannot be known, so nothing below it has a known name either. */
function titlePath(ancestors: string[] | undefined, call: JestCall): string[] | undefined {
  return ancestors && call.title !== undefined ? [...ancestors, call.title] : undefined;
}

function findTests(statements: readonly TS.Statement[], ancestors: string[] = []): FoundTest[] {
  return statements.flatMap((statement) => {
    const call = jestCallOf(statement);
    const path = call && titlePath(ancestors, call);
    if (!call || !path) return [];
    if (call.kind === 'test') return [{ fullName: fullNameOf(path), title: call.title!, statement: call.statement }];
    return call.body ? findTests(call.body.statements, path) : [];
  });
}

/** Every test()/it() call statement with a literal title (plain, `.only`, `.skip`, `.concurrent`), in source order. */
export function listTests(source: string): TestInSource[] {
  return findTests(parse(source).statements)
    .map(({ fullName, title, statement }) => ({ fullName, title, start: statement.getFullStart(), end: statement.getEnd() }));
}

/** Past comments on the same line after `pos` (`foo(); // why`): they belong to the code before them. */
function afterTrailingComments(text: string, pos: number): number {
  const comments = ts.getTrailingCommentRanges(text, pos);
  return comments?.length ? comments[comments.length - 1].end : pos;
}

/** Length of the whitespace at `pos` up to and including its last line break (`\n\n` of `\n\n  // x`). */
function lineBreaksLength(text: string, pos: number): number {
  let length = 0;
  for (let at = pos; at < text.length && ts.isWhiteSpaceLike(text.charCodeAt(at)); at++) {
    if (ts.isLineBreak(text.charCodeAt(at))) length = at + 1 - pos;
  }
  return length;
}

function removalStart(text: string, statements: TS.NodeArray<TS.Statement>, index: number): number {
  // At the start of the file there is no code before for a comment to trail.
  if (index === 0) return statements.pos === 0 ? 0 : afterTrailingComments(text, statements.pos);
  return afterTrailingComments(text, statements[index - 1].getEnd());
}

/**
 * Removes `statements[first..last]` with their leading comments. When they open their block and a
 * statement follows, that statement takes over the removed one's line breaks, so no blank line is
 * left under the `{` (or at the top of the file).
 */
function removalEdit(text: string, statements: TS.NodeArray<TS.Statement>, first: number, last: number): Edit {
  const start = removalStart(text, statements, first);
  const end = afterTrailingComments(text, statements[last].getEnd());
  if (first > 0 || last === statements.length - 1) return { start, end, text: '' };
  return { start, end: end + lineBreaksLength(text, end), text: text.slice(start, start + lineBreaksLength(text, start)) };
}

interface RemovalPlan {
  edits: Edit[];
  removed: string[];
  /** Test calls left, including those whose name is not known (so a describe holding them is kept). */
  remaining: number;
}

function planRemoval(text: string, statements: TS.NodeArray<TS.Statement>, ancestors: string[] | undefined, names: Set<string>): RemovalPlan {
  const plan: RemovalPlan = { edits: [], removed: [], remaining: 0 };
  const removedIndices: number[] = [];
  statements.forEach((statement, index) => {
    const call = jestCallOf(statement);
    if (!call) return;
    const path = titlePath(ancestors, call);
    if (call.kind === 'test') {
      if (path && names.has(fullNameOf(path))) {
        plan.removed.push(fullNameOf(path));
        removedIndices.push(index);
      } else {
        plan.remaining++;
      }
      return;
    }
    // A describe whose callback cannot be read may well hold tests: it keeps its parent.
    if (!call.body) {
      plan.remaining++;
      return;
    }
    const inner = planRemoval(text, call.body.statements, path, names);
    plan.removed.push(...inner.removed);
    if (inner.removed.length && !inner.remaining) {
      removedIndices.push(index);
    } else {
      plan.edits.push(...inner.edits);
      plan.remaining += inner.remaining;
    }
  });
  plan.edits.push(...runsOf(removedIndices).map(([first, last]) => removalEdit(text, statements, first, last)));
  return plan;
}

function applyEdits(text: string, edits: Edit[]): string {
  return [...edits].sort((a, b) => b.start - a.start).reduce((result, edit) => result.slice(0, edit.start) + edit.text + result.slice(edit.end), text);
}

/**
 * Removes the named tests (each with its leading comments); a describe left without tests (directly
 * or nested) is removed too. Everything else stays byte-identical. `removed` lists the names found,
 * in source order; `remaining` counts the test calls left in the file, named or not.
 */
export function removeTests(source: string, fullNames: Iterable<string>): { source: string; removed: string[]; remaining: number } {
  const plan = planRemoval(source, parse(source).statements, [], new Set(fullNames));
  return { source: applyEdits(source, plan.edits), removed: [...new Set(plan.removed)], remaining: plan.remaining };
}

interface ParsedTest {
  sourceFile: TS.SourceFile;
  statement: TS.ExpressionStatement;
  title: string;
}

/** The parser's own diagnostics: an internal field of the source file, so no program needs building; transpileModule reports the same ones publicly. */
function syntaxErrors(sourceFile: TS.SourceFile): readonly TS.Diagnostic[] {
  const { parseDiagnostics } = sourceFile as { parseDiagnostics?: readonly TS.Diagnostic[] };
  return parseDiagnostics ?? ts.transpileModule(sourceFile.text, { fileName: sourceFile.fileName, reportDiagnostics: true }).diagnostics ?? [];
}

function describeSyntaxError(sourceFile: TS.SourceFile, diagnostic: TS.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (diagnostic.start === undefined) return `syntax error: ${message}`;
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(diagnostic.start);
  return `syntax error: ${message} (line ${line + 1}, column ${character + 1})`;
}

function parseSingleTest(code: string): ParsedTest {
  const sourceFile = parse(code);
  const [firstError] = syntaxErrors(sourceFile);
  if (firstError) throw new Error(describeSyntaxError(sourceFile, firstError));
  const { statements } = sourceFile;
  if (statements.length !== 1) throw new Error(`expected exactly one test(...) statement, found ${statements.length} statement${statements.length === 1 ? '' : 's'}`);
  const [statement] = statements;
  const isTestCall = ts.isExpressionStatement(statement) && ts.isCallExpression(statement.expression)
    && isPlainForm(statement.expression.expression, TEST_FUNCTIONS, TEST_MODIFIERS);
  if (!isTestCall) {
    throw new Error(`expected a test(...) or it(...) call statement, found \`${firstLine(statement.getText(sourceFile))}\``);
  }
  const [titleArgument, callback] = statement.expression.arguments;
  const title = literalText(titleArgument);
  if (title === undefined) throw new Error("the test's title must be a string literal");
  if (!callback || !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) throw new Error("the test's second argument must be a function");
  return { sourceFile, statement, title };
}

function firstLine(text: string): string {
  const lines = text.split('\n');
  return lines.length > 1 ? `${lines[0].trimEnd()} …` : text;
}

/**
 * Checks that `code` is exactly one statement: a test(...)/it(...) call with a literal title and a
 * function as second argument, without syntax errors. Returns its title; throws an Error saying
 * what is wrong otherwise.
 */
export function parseTestStatement(code: string): { title: string } {
  return { title: parseSingleTest(code).title };
}

function indentationAt(text: string, lineStart: number): string {
  let end = lineStart;
  while (text[end] === ' ' || text[end] === '\t') end++;
  return text.slice(lineStart, end);
}

function lineStartOf(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

/** Ranges of string and template literal text, whose line starts are content and must not be re-indented. */
function literalRanges(sourceFile: TS.SourceFile): [number, number][] {
  const ranges: [number, number][] = [];
  const visit = (node: TS.Node): void => {
    const isStringText = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)
      || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node);
    if (isStringText) {
      ranges.push([node.getStart(sourceFile), node.getEnd()]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return ranges;
}

/**
 * The replacement statement's text (without its own leading comments) moved to `indentation`: its
 * lines lose their common indentation and gain the target's, except lines inside multi-line literals.
 */
function reindentedStatement({ sourceFile, statement }: ParsedTest, indentation: string): string {
  const code = sourceFile.text;
  const literals = literalRanges(sourceFile);
  const insideLiteral = (pos: number) => literals.some(([start, end]) => start < pos && pos < end);
  const lines: { start: number; text: string }[] = [];
  for (let start = statement.getStart(sourceFile); start < statement.getEnd(); ) {
    const lineEnd = code.indexOf('\n', start);
    const end = lineEnd === -1 || lineEnd >= statement.getEnd() ? statement.getEnd() : lineEnd + 1;
    lines.push({ start, text: code.slice(start, end) });
    start = end;
  }
  const [first, ...rest] = lines;
  const isBlank = (text: string) => text.trim() === '';
  const movable = rest.filter((line) => !insideLiteral(line.start) && !isBlank(line.text));
  const common = movable.length ? Math.min(...movable.map((line) => indentationAt(code, line.start).length)) : 0;
  const moved = rest.map((line) => {
    if (insideLiteral(line.start)) return line.text;
    // Keep only the line ending of blank lines, so no trailing whitespace is written.
    if (isBlank(line.text)) return line.text.slice(indentationAt(line.text, 0).length);
    return indentation + line.text.slice(common);
  });
  return [first.text, ...moved].join('');
}

/**
 * Replaces the named test's statement with `replacement` (one test()/it() call statement, see
 * parseTestStatement), keeping the original's indentation and leading comment; the replacement's
 * own leading comments are dropped. Throws an Error naming the test when it is not in the source,
 * or is there more than once (Jest then reports them as one, so which was repaired is unknown).
 */
export function replaceTest(source: string, fullName: string, replacement: string): string {
  const parsed = parseSingleTest(replacement);
  const matches = findTests(parse(source).statements).filter((test) => test.fullName === fullName);
  if (!matches.length) throw new Error(`test "${fullName}" is not in the source`);
  if (matches.length > 1) throw new Error(`test "${fullName}" is in the source ${matches.length} times; cannot tell which one to replace`);
  const { statement } = matches[0];
  const start = statement.getStart();
  return source.slice(0, start) + reindentedStatement(parsed, indentationAt(source, lineStartOf(source, start))) + source.slice(statement.getEnd());
}
