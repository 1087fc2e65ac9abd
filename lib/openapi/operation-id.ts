const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

const RESERVED_WORDS = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await arguments eval').split(' '),
);

function isValidIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED_WORDS.has(name);
}

function camelCase(words: string[]): string {
  return words
    .map((word, index) => (index === 0 ? word.charAt(0).toLowerCase() : word.charAt(0).toUpperCase()) + word.slice(1))
    .join('');
}

function toIdentifier(words: string[]): string {
  let name = camelCase(words.filter(Boolean)) || 'operation';
  if (/^\d/.test(name)) name = `op${name}`;
  return isValidIdentifier(name) ? name : `${name}Operation`;
}

/** `get /pets/{petId}/photos` → `getPetsByPetIdPhotos`; `get /` → `getRoot`. */
export function synthesizeOperationId(method: string, path: string): string {
  const words = [method.toLowerCase()];
  for (const segment of path.split('/').filter(Boolean)) {
    const parameter = /^\{(.+)\}$/.exec(segment);
    const pieces = (parameter ? parameter[1] : segment).split(/[^A-Za-z0-9]+/).filter(Boolean);
    if (parameter) words.push('by');
    words.push(...pieces);
  }
  if (words.length === 1) words.push('root');
  return toIdentifier(words);
}

/** Keeps a spec's operationId when it is already a valid identifier; otherwise camel-cases its word pieces. */
export function sanitizeOperationId(operationId: string): string {
  if (isValidIdentifier(operationId)) return operationId;
  return toIdentifier(operationId.split(/[^A-Za-z0-9_$]+/));
}

export interface OperationIdCandidate {
  /** The spec's own operationId, if any. */
  declared?: string;
  method: string;
  path: string;
}

/**
 * Unique, valid identifiers in the order given. Declared ids that need no change are claimed first so
 * that a synthesized or sanitized id can never take the name the spec author chose.
 */
export function assignOperationIds(candidates: OperationIdCandidate[]): string[] {
  const wanted = candidates.map((c) => (c.declared ? sanitizeOperationId(c.declared) : synthesizeOperationId(c.method, c.path)));
  const taken = new Set<string>();
  const result: (string | undefined)[] = candidates.map((candidate, index) => {
    const exact = candidate.declared !== undefined && candidate.declared === wanted[index] && !taken.has(wanted[index]);
    if (exact) taken.add(wanted[index]);
    return exact ? wanted[index] : undefined;
  });
  return result.map((assigned, index) => {
    if (assigned) return assigned;
    let name = wanted[index];
    for (let suffix = 2; taken.has(name); suffix++) name = `${wanted[index]}${suffix}`;
    taken.add(name);
    return name;
  });
}
