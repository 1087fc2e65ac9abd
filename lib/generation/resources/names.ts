/** How resource names are spelled in paths and fields: `/patients`, `patientId`, `project_key`. */

/** `patients` → `patient`, `categories` → `category`, `boxes` → `box`; a singular word stays as it is. */
export function singular(word: string): string {
  const lower = word.toLowerCase();
  if (/ies$/.test(lower)) return `${lower.slice(0, -3)}y`;
  if (/(sses|xes|zes|ches|shes)$/.test(lower)) return lower.slice(0, -2);
  if (/s$/.test(lower) && !/ss$/.test(lower)) return lower.slice(0, -1);
  return lower;
}

/** Lower case with separators dropped: `Project_Key` → `projectkey`, for comparing spellings. */
export function normalized(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The literal segments of a path: `/projects/{projectId}/issues` → `projects`, `issues`. */
export function literalSegments(path: string): string[] {
  return path.split('/').filter((segment) => segment && !segment.startsWith('{'));
}

/** The path up to (not including) the `{param}` segment: `/projects/{projectId}/issues/{issueKey}`, `issueKey` → `/projects/{projectId}/issues`. */
export function collectionPathOf(path: string, param: string): string | undefined {
  const marker = `/{${param}}`;
  const at = path.indexOf(marker);
  return at > 0 ? path.slice(0, at) : undefined;
}

/**
 * A field that names another resource: `patientId`, `assignee_id`, `projectKey`. Returns the
 * resource word (`patient`, `assignee`, `project`) and the id word (`id`, `key`).
 */
export function referenceField(name: string): { resource: string; idWord: string } | undefined {
  const match = /^(.+?)[_-]?(id|key|code|uuid)$/i.exec(name);
  if (!match || !/[a-z]/i.test(match[1])) return undefined;
  return { resource: normalized(match[1]), idWord: match[2].toLowerCase() };
}

/**
 * The property of a created resource a path parameter names: `issueKey` of `/issues` → `key`,
 * `patientId` of `/patients` → `id`; the parameter's own name first.
 */
export function idPropertyCandidates(param: string, collectionSegment: string): string[] {
  const candidates = [param];
  const resource = singular(collectionSegment);
  const lower = param.toLowerCase();
  if (lower.startsWith(resource) && param.length > resource.length) {
    const rest = param.slice(resource.length).replace(/^[_-]/, '');
    candidates.push(rest.charAt(0).toLowerCase() + rest.slice(1));
  }
  candidates.push('id');
  return [...new Set(candidates)];
}
