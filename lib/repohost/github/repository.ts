/** `owner/name` as Octokit's parameters. */
export type RepositoryName = {
  owner: string;
  repo: string;
};

export function repositoryName(repository: string): RepositoryName {
  const parts = repository.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new Error(`repository must be owner/name, got "${repository}"`);
  return { owner: parts[0], repo: parts[1] };
};
