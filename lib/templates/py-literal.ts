import { isCodeExpression } from './code-expression';

/** A double-quoted Python string literal; escapes everything that could end or break it. */
export function pyQuote(text: string): string {
  let quoted = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\' || char === '"') quoted += `\\${char}`;
    else if (char === '\n') quoted += '\\n';
    else if (char === '\r') quoted += '\\r';
    else if (char === '\t') quoted += '\\t';
    else if (code < 0x20 || code === 0x7f) quoted += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code === 0x2028 || code === 0x2029 || (code >= 0xd800 && code <= 0xdfff)) quoted += `\\u${code.toString(16).padStart(4, '0')}`;
    else quoted += char;
  }
  return `${quoted}"`;
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object' || isCodeExpression(value);
}

function scalarLiteral(value: unknown): string {
  if (isCodeExpression(value)) return value.code;
  if (typeof value === 'string') return pyQuote(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'None';
  return 'None';
}

/**
 * A JSON-compatible value as a Python literal: dicts with double-quoted keys, `True`/`False`/`None`,
 * scalar lists on one line, `indent` prefixed to every line but the first.
 */
export function pyLiteral(value: unknown, indent = ''): string {
  if (isScalar(value)) return scalarLiteral(value);
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    if (value.every(isScalar)) return `[${value.map(scalarLiteral).join(', ')}]`;
    return `[\n${value.map((item) => `${inner}${pyLiteral(item, inner)}`).join(',\n')},\n${indent}]`;
  }
  const entries = Object.entries(value as object).filter(([, item]) => item !== undefined);
  if (!entries.length) return '{}';
  const lines = entries.map(([key, item]) => `${inner}${pyQuote(key)}: ${pyLiteral(item, inner)}`);
  return `{\n${lines.join(',\n')},\n${indent}}`;
}
