import path from 'node:path';

export const SPEC_URL_HOSTS_HINT = 'an operator can allow the host with TESTLOOM_SPEC_URL_HOSTS';

/** True when `file` is `root` or below it, lexically (resolve symlinks before asking). */
export function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative === '' || (relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative));
}

/** A `$ref` that points outside the document, and where it is (a JSON pointer as URI fragment). */
export interface ExternalRef {
  ref: string;
  pointer: string;
}

const escapeToken = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Every `$ref` the parser would resolve outside the document: a non-empty string not starting
 * with `#`, anywhere (examples and extensions too, since the parser resolves those as well).
 */
export function externalRefs(document: unknown): ExternalRef[] {
  const found: ExternalRef[] = [];
  const seen = new Set<object>();
  const stack: [unknown, string][] = [[document, '#']];
  while (stack.length) {
    const [value, pointer] = stack.pop()!;
    if (!value || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    const ref = (value as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.length > 0 && !ref.startsWith('#')) found.push({ ref, pointer });
    const entries = Array.isArray(value) ? value.map((item, i) => [String(i), item] as const) : Object.entries(value);
    // Reversed so the first problem reported is the first in document order.
    for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i][1], `${pointer}/${escapeToken(entries[i][0])}`]);
  }
  return found;
}
