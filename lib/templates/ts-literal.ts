import { isCodeExpression } from './code-expression';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** A single-quoted TypeScript string literal; escapes everything that could end or break it. */
export function tsQuote(text: string): string {
  let quoted = "'";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\' || char === "'") quoted += `\\${char}`;
    else if (char === '\n') quoted += '\\n';
    else if (char === '\r') quoted += '\\r';
    else if (char === '\t') quoted += '\\t';
    else if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029) quoted += `\\u${code.toString(16).padStart(4, '0')}`;
    else quoted += char;
  }
  return `${quoted}'`;
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object' || isCodeExpression(value);
}

function scalarLiteral(value: unknown): string {
  if (isCodeExpression(value)) return value.code;
  if (typeof value === 'string') return tsQuote(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * A JSON-compatible value as idiomatic TypeScript: unquoted identifier keys, single-quoted
 * strings, scalar arrays on one line, `indent` prefixed to every line but the first.
 */
export function tsLiteral(value: unknown, indent = ''): string {
  if (isScalar(value)) return scalarLiteral(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    if (value.every(isScalar)) return `[${value.map(scalarLiteral).join(', ')}]`;
    return `[\n${value.map((item) => `${inner}${tsLiteral(item, inner)}`).join(',\n')},\n${indent}]`;
  }
  const entries = Object.entries(value as object).filter(([, item]) => item !== undefined);
  if (!entries.length) return '{}';
  const lines = entries.map(([key, item]) => `${inner}${IDENTIFIER.test(key) ? key : tsQuote(key)}: ${tsLiteral(item, inner)}`);
  return `{\n${lines.join(',\n')},\n${indent}}`;
}
