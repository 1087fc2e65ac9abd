/**
 * Reads the tests already in a repository checkout as CaseDocuments, one per test, so retrieval
 * can offer the repository's own tests before testloom has generated any.
 *
 * Parsing is lexical on purpose (a small scanner plus regular expressions, no language parsers):
 * it only needs test names, their enclosing groups and a snippet of each body, for JS/TS, Python
 * and Markdown/JSON test-case documents alike. Code that builds test names at run time is read
 * as written (`describe(Foo.name, …)` gives "Foo.name").
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { caseDocumentId, type CaseDocument } from '../documents';
import { parseJsonCases, parseMarkdownCases } from './case-documents';
import { parseJsTests } from './js-tests';
import { parsePythonTests } from './python-tests';
import type { FoundCase } from './types';
import { findCaseFiles, type FileType } from './walk';

export interface CheckoutCases {
  documents: CaseDocument[];
  /** Files that yielded at least one case. */
  files: number;
  skipped: { path: string; reason: string }[];
}

const MAX_SEED_FILE_BYTES = 1024 * 1024;
const NAME_SEPARATOR = ' › ';

export async function readCheckoutCases(root: string, repository: string): Promise<CheckoutCases> {
  const result: CheckoutCases = { documents: [], files: 0, skipped: [] };
  for (const { relative, type } of await findCaseFiles(root)) {
    const file = path.join(root, relative);
    const stat = await fs.stat(file);
    if (stat.size > MAX_SEED_FILE_BYTES) {
      result.skipped.push({ path: relative, reason: `larger than ${MAX_SEED_FILE_BYTES / 1024 / 1024} MB` });
      continue;
    }
    let found: FoundCase[];
    try {
      found = parseCases(type, await fs.readFile(file, 'utf8'));
    } catch (err) {
      result.skipped.push({ path: relative, reason: (err as Error).message });
      continue;
    }
    if (!found.length) {
      result.skipped.push({ path: relative, reason: 'no tests found' });
      continue;
    }
    result.files++;
    result.documents.push(...toDocuments(found, relative, repository, type, Math.floor(stat.mtimeMs)));
  }
  return result;
}

function toDocuments(found: FoundCase[], relative: string, repository: string, type: FileType, created: number): CaseDocument[] {
  const seen = new Map<string, number>();
  return found.map((c) => {
    const title = c.names.join(NAME_SEPARATOR);
    const base = c.key ?? title;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return {
      id: caseDocumentId(repository, relative, n === 1 ? base : `${base} #${n}`),
      text: c.detail ? `${title}\n${c.detail}` : title,
      title,
      repository,
      origin: 'seed',
      subject: relative,
      kind: type === 'js' || type === 'python' ? 'test' : 'test-case',
      path: relative,
      created,
    };
  });
}

function parseCases(type: FileType, source: string): FoundCase[] {
  switch (type) {
    case 'js': return parseJsTests(source);
    case 'python': return parsePythonTests(source);
    case 'markdown': return parseMarkdownCases(source);
    case 'json': return parseJsonCases(source);
  }
}
