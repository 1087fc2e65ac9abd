import type Handlebars from 'handlebars';
import { pyLiteral, pyQuote } from './py-literal';
import { tsLiteral, tsQuote } from './ts-literal';

/** Handlebars passes its options object as the last argument; strip it from variadic helpers. */
function withoutOptions(args: unknown[]): unknown[] {
  return args.slice(0, -1);
}

/** A template value as text: `''` when missing, JSON for an object (never `[object Object]`). The templates pass strings. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return value === undefined || value === null ? '' : JSON.stringify(value);
}

function longestRun(text: string, character: string): number {
  let longest = 0;
  let current = 0;
  for (const c of text) {
    current = c === character ? current + 1 : 0;
    longest = Math.max(longest, current);
  }
  return longest;
}

/** Template helpers for generating code and Markdown; registered once per Handlebars environment. */
export const TEMPLATE_HELPERS = {
  /** Pretty JSON (2-space): a valid TypeScript literal for any JSON value. */
  json: (value: unknown) => JSON.stringify(value ?? null, null, 2),
  /** One-line JSON. */
  jsonInline: (value: unknown) => JSON.stringify(value ?? null),
  /** A single-quoted TypeScript string literal. */
  tsString: (value: unknown) => tsQuote(asText(value)),
  /** Any JSON value as an idiomatic TypeScript literal; `{{tsLiteral value 4}}` indents continuation lines by 4. */
  tsLiteral: (value: unknown, spaces: unknown) => tsLiteral(value, typeof spaces === 'number' ? ' '.repeat(spaces) : ''),
  /** A double-quoted Python string literal. */
  pyString: (value: unknown) => pyQuote(asText(value)),
  /** Any JSON value as a Python literal (`True`, `None`, dicts); `{{pyLiteral value 8}}` indents continuation lines by 8. */
  pyLiteral: (value: unknown, spaces: unknown) => pyLiteral(value, typeof spaces === 'number' ? ' '.repeat(spaces) : ''),
  /** Indents every line but the first by `spaces`, for multi-line values placed after code on the same line. */
  indent: (text: unknown, spaces: unknown) =>
    asText(text).replace(/\n(?!\n|$)/g, `\n${' '.repeat(Number(spaces) || 0)}`),
  eq: (a: unknown, b: unknown) => a === b,
  not: (value: unknown) => !value,
  and: (...args: unknown[]) => withoutOptions(args).every(Boolean),
  or: (...args: unknown[]) => withoutOptions(args).some(Boolean),
  join: (items: unknown, separator: unknown) =>
    (Array.isArray(items) ? items : []).join(typeof separator === 'string' ? separator : ', '),
  upper: (value: unknown) => asText(value).toUpperCase(),
  /** Markdown table cell text: pipes escaped, line breaks flattened. */
  mdCell: (value: unknown) => asText(value).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|'),
  /** Inline Markdown code safe inside a table cell, whatever backticks or pipes the text holds. */
  mdCode: (value: unknown) => {
    const text = asText(value).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
    const fence = '`'.repeat(longestRun(text, '`') + 1);
    const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
    return `${fence}${pad}${text}${pad}${fence}`;
  },
  /** `{{plural count "case"}}` → "1 case" / "2 cases". */
  plural: (count: unknown, noun: unknown) => `${Number(count)} ${String(noun)}${Number(count) === 1 ? '' : 's'}`,
} satisfies Record<string, Handlebars.HelperDelegate>;

export function registerTemplateHelpers(handlebars: typeof Handlebars): void {
  for (const [name, helper] of Object.entries(TEMPLATE_HELPERS)) handlebars.registerHelper(name, helper);
}
