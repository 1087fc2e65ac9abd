/** One part of a repository name: the characters GitHub allows, not only dots (`.` and `..` name no repository, and climb). */
const PART = '\\.*[A-Za-z0-9_-][A-Za-z0-9_.-]*';
/** A repository as `owner/name`: the characters GitHub allows, also for local repositories. */
export const REPOSITORY_NAME = `${PART}/${PART}`;
/** The whole text is a repository name (for JSON Schema `pattern`). */
export const REPOSITORY_PATTERN = `^${REPOSITORY_NAME}$`;

const REPOSITORY = new RegExp(REPOSITORY_PATTERN);

export function isRepositoryName(value: string): boolean {
  return REPOSITORY.test(value);
}
