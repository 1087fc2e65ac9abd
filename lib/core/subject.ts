/** Names derived from a run's subject: branch, output folder, index key, headlines. */
import type { OperationChange, RevisionChanges, Subject } from './contract';

/** `Swagger Petstore v2` → `swagger-petstore-v2`: lowercase words joined by dashes, at most 48 characters. */
export function slugify(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48) || 'api';
}

/**
 * A spec's name within its repository (`api/openapi.yaml`, `payments`): with the repository, the
 * spec's identity across revisions. Slash-separated segments of letters, digits, `.`, `_` and `-`,
 * none starting with a dot, so a name is never absolute, never climbs, never hides.
 */
export const SPEC_NAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$';
export const SPEC_NAME_MAX_LENGTH = 200;

export function isSpecName(name: string): boolean {
  return name.length <= SPEC_NAME_MAX_LENGTH && new RegExp(SPEC_NAME_PATTERN).test(name);
}

/** The name of a spec whose request gives none: its title, so each revision of one API finds the ones before. */
export function defaultSpecName(title: string | undefined): string {
  return slugify(title ?? 'api');
}

/**
 * A spec run's branch follows its name, so every revision updates one branch and pull request;
 * runs started before specs had names keep the branch of their content hash.
 */
export function branchFor(subject: Subject): string {
  const prefix = subject.delivery?.branchPrefix ?? DEFAULT_BRANCH_PREFIX;
  if (subject.kind === 'issue') return `${prefix}issue-${subject.number}`;
  return subject.name ? `${prefix}spec-${slugify(subject.name)}` : `${prefix}spec-${subject.specId.slice(0, 12)}`;
}

/** Where suites go and how branches start unless the repository's `.testloom.yml` says otherwise. */
export const DEFAULT_OUTPUT_ROOT = 'tests/testloom';
export const DEFAULT_BRANCH_PREFIX = 'testloom/';

export function outputDir(subject: Subject): string {
  return `${subject.delivery?.outputRoot ?? DEFAULT_OUTPUT_ROOT}/${subject.slug}`;
}

/** The key a subject's indexed cases are stored under: the spec id, or `owner/repo#12`. */
export function subjectKey(subject: Subject): string {
  return subject.kind === 'spec' ? subject.specId : `${subject.repository}#${subject.number}`;
}

/** "Swagger Petstore 1.0.0" or "#12 Add pagination to /pets". */
export function subjectTitle(subject: Subject): string {
  return subject.kind === 'spec' ? `${subject.title}${subject.version ? ` ${subject.version}` : ''}` : `#${subject.number} ${subject.title}`;
}

/** Where the tests come from, for commit messages and review bodies. */
export function subjectSource(subject: Subject): string {
  return subject.kind === 'spec'
    ? `spec ${subject.specId.slice(0, 12)} (OpenAPI ${subject.openapiVersion}, ${subject.operationCount} operations)`
    : `issue ${subject.repository}#${subject.number} (${subject.url})`;
}

/** `1 added, 1 changed (1 breaking), 1 removed` — or `no operation changed`. */
export function revisionHeadline(changes: RevisionChanges): string {
  const part = (count: number, verb: string, list: OperationChange[]) => {
    const breaking = list.filter((change) => change.breaking).length;
    return `${count} ${verb}${breaking && verb !== 'removed' ? ` (${breaking} breaking)` : ''}`;
  };
  const parts = [
    changes.added.length ? part(changes.added.length, 'added', changes.added) : '',
    changes.changed.length ? part(changes.changed.length, 'changed', changes.changed) : '',
    changes.removed.length ? part(changes.removed.length, 'removed', changes.removed) : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'no operation changed';
}

/** Each change on one line, added then changed then removed: `changed GET /orders (breaking): …`. */
export function revisionLines(changes: RevisionChanges): { change: 'added' | 'changed' | 'removed'; operation: string; breaking: boolean; details: string }[] {
  return (['added', 'changed', 'removed'] as const).flatMap((change) =>
    changes[change].map((entry) => ({ change, operation: entry.operation, breaking: entry.breaking, details: entry.details.join('; ') })),
  );
}
