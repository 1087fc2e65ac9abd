import { collapse, snippet } from './text';
import type { FoundCase } from './types';

/** A `class` or `def` line and the indentation that ends its block. */
interface Block {
  indent: number;
  kind: 'class' | 'def';
  name: string;
}

/** Functions named `test*` at module level or in classes (as pytest and unittest collect them). */
export function parsePythonTests(source: string): FoundCase[] {
  const lines = source.split(/\r?\n/);
  const found: FoundCase[] = [];
  const blocks: Block[] = [];
  let decorators: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const indent = indentOf(line);
    while (blocks.length && blocks[blocks.length - 1].indent >= indent) blocks.pop();
    if (line.trim().startsWith('@')) {
      const end = endOfBrackets(lines, i);
      decorators.push(collapse(lines.slice(i, end + 1).join(' ')));
      i = end;
      continue;
    }
    const block = /^\s*(?:async\s+)?(class|def)\s+(\w+)/.exec(line);
    if (!block) {
      decorators = [];
      continue;
    }
    const [, kind, name] = block as unknown as [string, 'class' | 'def', string];
    const headerEnd = endOfBrackets(lines, i);
    if (kind === 'def' && name.startsWith('test') && blocks.every((b) => b.kind === 'class')) {
      const inline = lines.slice(i, headerEnd + 1).join('\n').replace(/^[\s\S]*?\)\s*(->[^:]*)?:/, '');
      let end = headerEnd + 1;
      while (end < lines.length && (!lines[end].trim() || indentOf(lines[end]) > indent)) end++;
      found.push({
        names: [...blocks.map((b) => b.name), name],
        detail: pythonDetail(name, decorators, [inline, ...lines.slice(headerEnd + 1, end)].join('\n')),
      });
    }
    blocks.push({ indent, kind, name });
    decorators = [];
    i = headerEnd;
  }
  return found;
}

function pythonDetail(name: string, decorators: string[], body: string): string {
  const docstring = /^\s*[rRuU]?("""|''')([\s\S]*?)\1/.exec(body);
  const code = docstring ? body.slice(docstring[0].length) : body;
  const parametrize = decorators.filter((d) => /parametrize/.test(d)).map((d) => snippet(d, 150));
  return [
    name.replace(/^test_?/, '').replace(/_/g, ' ').trim(),
    docstring ? collapse(docstring[2]) : '',
    ...parametrize,
    snippet(code),
  ].filter(Boolean).join('\n');
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** The last line of a statement starting at `start` whose brackets may span lines. */
function endOfBrackets(lines: string[], start: number): number {
  let depth = 0;
  for (let i = start; i < lines.length; i++) {
    const code = lines[i].replace(/(["'])(?:\\.|(?!\1).)*\1/g, '""').replace(/#.*$/, '');
    for (const c of code) {
      if ('([{'.includes(c)) depth++;
      else if (')]}'.includes(c)) depth--;
    }
    if (depth <= 0) return i;
  }
  return lines.length - 1;
}
