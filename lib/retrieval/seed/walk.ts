import fs from 'node:fs/promises';
import path from 'node:path';

export type FileType = 'js' | 'python' | 'markdown' | 'json';

const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build', 'coverage', 'vendor', '__pycache__']);

function fileType(relative: string): FileType | undefined {
  const base = path.posix.basename(relative);
  if (/\.(test|spec)\.(ts|tsx|js|jsx|mjs|cjs)$/.test(base)) return 'js';
  if (/^test_.*\.py$|_test\.py$/.test(base)) return 'python';
  const caseDocument = /test[-_]cases/i.test(base) || relative.split('/').slice(0, -1).includes('test-cases');
  if (caseDocument && base.endsWith('.md')) return 'markdown';
  if (caseDocument && base.endsWith('.json')) return 'json';
  return undefined;
}

/** Candidate files under `root`, relative with `/` separators, in a stable (code point) order. */
export async function findCaseFiles(root: string, dir = ''): Promise<{ relative: string; type: FileType }[]> {
  const entries = await fs.readdir(path.join(root, dir), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: { relative: string; type: FileType }[] = [];
  for (const entry of entries) {
    const relative = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !SKIPPED_DIRS.has(entry.name)) files.push(...(await findCaseFiles(root, relative)));
    } else if (entry.isFile()) {
      const type = fileType(relative);
      if (type) files.push({ relative, type });
    }
  }
  return files;
}
