/** Names derived from a run's subject: branch, output folder, index key, headlines. */
import type { Subject } from './contract';

export function branchFor(subject: Subject): string {
  return subject.kind === 'spec' ? `testloom/spec-${subject.specId.slice(0, 12)}` : `testloom/issue-${subject.number}`;
}

export function outputDir(subject: Subject): string {
  return `tests/testloom/${subject.slug}`;
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
