import { collapse, snippet } from './text';
import type { FoundCase } from './types';

const GROUP_FUNCTIONS = new Set(['describe', 'context', 'suite', 'fdescribe', 'xdescribe']);
const CALL_NAMES = 'describe|context|suite|fdescribe|xdescribe|it|test|specify|fit|xit|xtest';
const CALL_MODIFIERS = 'only|skip|todo|concurrent|failing|sequential|each';
/** `test(`, `it.only(`, `describe.each([…])(`, `test.each`…`(`; not `x.test(` (e.g. `regex.test(s)`). */
const CALL = new RegExp(`(?<![\\w$.])(${CALL_NAMES})((?:\\s*\\.\\s*(?:${CALL_MODIFIERS}))*)\\s*(?=[(\`])`, 'g');

interface Call {
  group: boolean;
  name: string;
  /** Offsets of the call's parentheses. */
  open: number;
  close: number;
  detail: string;
}

/** `describe`/`it`/`test` calls with their enclosing groups; tests inside other tests are ignored. */
export function parseJsTests(source: string): FoundCase[] {
  const masked = maskJs(source);
  const calls: Call[] = [];
  for (const match of masked.matchAll(CALL)) {
    const call = readCall(source, masked, match.index + match[0].length, match[1], /\beach\b/.test(match[2]));
    if (call) calls.push(call);
  }
  const groups = calls.filter((c) => c.group);
  return calls
    .filter((c) => !c.group)
    .filter((t) => !calls.some((o) => !o.group && o.open < t.open && t.close < o.close))
    .map((t) => ({
      names: [...groups.filter((g) => g.open < t.open && t.close < g.close).map((g) => g.name), t.name],
      detail: t.detail,
    }));
}

function readCall(source: string, masked: string, at: number, fn: string, each: boolean): Call | undefined {
  let table = '';
  if (each) {
    // `test.each([...])(name, fn)` or `test.each`table`(name, fn)`: step over the table.
    const end = masked[at] === '`' ? endOfString(source, at) : matchingParen(masked, at) + 1;
    table = source.slice(at, end);
    at = skipSpace(masked, end);
  }
  if (masked[at] !== '(') return undefined;
  const open = at;
  const close = matchingParen(masked, open);
  const nameStart = skipSpace(masked, open + 1);
  let name: string;
  let rest: number;
  if (`'"\``.includes(source[nameStart])) {
    rest = endOfString(source, nameStart);
    name = stringValue(source.slice(nameStart, rest));
  } else {
    rest = topLevelComma(masked, nameStart, close);
    name = collapse(source.slice(nameStart, rest));
  }
  if (!name) return undefined;
  const body = source.slice(rest, close)
    .replace(/^\s*,\s*(async\s*)?(function\s*\w*\s*)?(\([^)]*\)|[\w$]+)?\s*(=>)?\s*\{?/, '')
    .replace(/\}?\s*(,\s*\d[\d_]*\s*)?$/, '');
  const detail = [table && `each: ${snippet(table, 150)}`, snippet(body)].filter(Boolean).join('\n');
  return { group: GROUP_FUNCTIONS.has(fn), name, open, close, detail };
}

/** The value of a quoted JS string; template literals are kept as written, `${…}` included. */
function stringValue(literal: string): string {
  const inner = literal.slice(1, literal.endsWith(literal[0]) && literal.length > 1 ? -1 : undefined);
  if (literal[0] === '`') return collapse(inner);
  return collapse(inner.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\s\S])/g, (_, e: string) => {
    if (e[0] === 'u' || e[0] === 'x') return String.fromCodePoint(parseInt(e.replace(/[ux{}]/g, ''), 16));
    return ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[e] ?? e;
  }));
}

/**
 * The source with the insides of comments, strings, template literals and regular expression
 * literals blanked out (same length and line breaks), so brackets and call names can be found
 * with plain searches. A `/` starts a regex when the previous code character cannot end an
 * operand; that heuristic is right for the code tests are written in.
 */
function maskJs(source: string): string {
  const out = source.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  let previous = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    let end = -1;
    if (c === '/' && next === '/') {
      end = source.indexOf('\n', i);
      if (end < 0) end = source.length;
      blank(i, end);
    } else if (c === '/' && next === '*') {
      end = source.indexOf('*/', i + 2);
      end = end < 0 ? source.length : end + 2;
      blank(i, end);
    } else if (c === '"' || c === "'" || c === '`') {
      end = endOfString(source, i);
      blank(i + 1, end - 1);
      previous = c;
    } else if (c === '/' && (previous === '' || '(,=:[!&|?{};'.includes(previous))) {
      end = endOfRegex(source, i);
      if (end > 0) {
        blank(i + 1, end);
        previous = 'r';
      }
    }
    if (end > 0) {
      i = end;
      continue;
    }
    if (!/\s/.test(c)) previous = c;
    i++;
  }
  return out.join('');
}

/** Index just past the string or template literal whose quote is at `start`. */
function endOfString(source: string, start: number): number {
  const quote = source[start];
  let i = start + 1;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') i += 2;
    else if (c === quote) return i + 1;
    else if (c === '\n' && quote !== '`') return i;
    else if (quote === '`' && c === '$' && source[i + 1] === '{') i = endOfExpression(source, i + 2);
    else i++;
  }
  return source.length;
}

/** Index just past the `}` closing a template literal's `${` expression that starts at `i`. */
function endOfExpression(source: string, i: number): number {
  let depth = 1;
  while (i < source.length) {
    const c = source[i];
    if (c === '"' || c === "'" || c === '`') {
      i = endOfString(source, i);
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
    i++;
  }
  return source.length;
}

/** Index of the closing `/` of a regex literal starting at `start`, or -1 when it is not one. */
function endOfRegex(source: string, start: number): number {
  let inClass = false;
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\n') return -1;
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) return i;
  }
  return -1;
}

function matchingParen(masked: string, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    if (masked[i] === '(') depth++;
    else if (masked[i] === ')' && --depth === 0) return i;
  }
  return masked.length;
}

function topLevelComma(masked: string, from: number, to: number): number {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = masked[i];
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) return i;
  }
  return to;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i])) i++;
  return i;
}
