import type { JsonObject, JsonValue } from '../../core/json';
import { collapse, snippet } from './text';
import type { FoundCase } from './types';

const TITLE_COLUMNS = ['title', 'name', 'test case', 'case', 'scenario', 'test', 'summary', 'description'];
const ID_COLUMNS = ['id', 'case id', 'test id', 'tc'];
const JSON_NAME_KEYS = ['id', 'title', 'name', 'summary', 'suite', 'group', 'feature'];
const NOT_CASES = /^(notes?|skipped( operations)?|summary|overview|introduction|contents|table of contents|run|references?)$/i;

/**
 * testloom's test-cases.md (one case per row of a table with a Title column, under the
 * operation's heading) and hand-written documents with one heading per case.
 */
export function parseMarkdownCases(source: string): FoundCase[] {
  const lines = source.split(/\r?\n/);
  const found: FoundCase[] = [];
  const headings: { level: number; text: string }[] = [];
  let section: { names: string[]; body: string[]; hasTable: boolean } | undefined;
  let fence = false;
  const closeSection = () => {
    const body = snippet(section?.body.join(' ') ?? '');
    const name = section?.names[section.names.length - 1] ?? '';
    if (section && !section.hasTable && body && !NOT_CASES.test(name)) found.push({ names: section.names, detail: body });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    const heading = fence ? null : /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      closeSection();
      const level = heading[1].length;
      while (headings.length && headings[headings.length - 1].level >= level) headings.pop();
      headings.push({ level, text: plainMarkdown(heading[2]) });
      // The document title (level 1) names the document, not a case.
      section = level > 1 ? { names: headings.filter((h) => h.level > 1).map((h) => h.text), body: [], hasTable: false } : undefined;
      continue;
    }
    if (isTableRow(line) && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1] ?? '')) {
      const header = tableCells(line).map((h) => h.toLowerCase());
      const titleColumn = TITLE_COLUMNS.map((c) => header.indexOf(c)).find((c) => c >= 0);
      const idColumn = ID_COLUMNS.map((c) => header.indexOf(c)).find((c) => c >= 0);
      i += 2;
      for (; i < lines.length && isTableRow(lines[i]); i++) {
        if (titleColumn === undefined) continue;
        const cells = tableCells(lines[i]);
        const names = [...headings.filter((h) => h.level > 1).map((h) => h.text), cells[titleColumn] ?? ''];
        const detail = header.map((h, c) => (c === titleColumn || !cells[c] ? '' : `${h}: ${cells[c]}`)).filter(Boolean).join('; ');
        if (cells[titleColumn]) found.push({ names, detail, key: idColumn === undefined ? undefined : cells[idColumn] || undefined });
      }
      i--;
      if (section && titleColumn !== undefined) section.hasTable = true;
      continue;
    }
    section?.body.push(line);
  }
  closeSection();
  return found;
}

const isTableRow = (line: string) => /^\s*\|.*\|\s*$/.test(line);

function tableCells(row: string): string[] {
  return row.trim().replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((cell) => plainMarkdown(cell.replace(/\\\|/g, '|')));
}

function plainMarkdown(text: string): string {
  return collapse(text.replace(/(`+)\s?(.*?)\s?\1/g, '$2').replace(/\*\*|__/g, ''));
}

/** `[…]` or `{cases|testCases|tests: […]}` of objects with a title or name. */
export function parseJsonCases(source: string): FoundCase[] {
  let doc: JsonValue;
  try {
    doc = JSON.parse(source) as JsonValue;
  } catch (err) {
    throw new Error(`invalid JSON: ${(err as Error).message}`, { cause: err });
  }
  const record = isJsonObject(doc) ? doc : undefined;
  const cases = Array.isArray(doc) ? doc : record?.cases ?? record?.testCases ?? record?.tests;
  if (!Array.isArray(cases)) return [];
  const suite = typeof record?.suite === 'string' ? [record.suite] : [];
  return cases.flatMap((c): FoundCase[] => {
    if (!isJsonObject(c)) return [];
    const title = c.title ?? c.name ?? c.summary;
    if (typeof title !== 'string' || !title.trim()) return [];
    const group = [c.suite, c.group, c.feature].find((g) => typeof g === 'string');
    const detail = Object.entries(c)
      .filter(([key]) => !JSON_NAME_KEYS.includes(key))
      .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.map(itemText).join('; ') : typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
      .join('\n');
    const key = typeof c.id === 'string' || typeof c.id === 'number' ? String(c.id) : undefined;
    return [{ names: [...(group ? [group] : suite), collapse(title)], detail: snippet(detail), key }];
  });
}

/** An item of a listed field as `join` shows it, except that objects and lists are written as JSON, not `[object Object]`. */
function itemText(item: JsonValue): string {
  if (item === null) return '';
  return typeof item === 'object' ? JSON.stringify(item) : String(item);
}

function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
