/** What the commit and create-PR stages need from wherever the target repository lives. */

export interface FileToCommit {
  path: string;
  content: string;
}

export interface CommitRequest {
  repository: string;
  branch: string;
  files: FileToCommit[];
  /** Directories the run owns: files below them that are not in `files` are removed from the branch. */
  ownedDirs: string[];
  message: string;
  /** Author and committer time; fixed per run so a retried commit has the same sha. */
  date: Date;
}

export interface CommitResult {
  branch: string;
  baseBranch: string;
  baseSha: string;
  commitSha: string;
  /** False when the branch already held exactly this tree, so nothing was written. */
  created: boolean;
}

export interface ReviewRequest {
  repository: string;
  headBranch: string;
  baseBranch: string;
  title: string;
  body: string;
  runId: string;
  /** Labels the pull request gets besides testloom's own (`.testloom.yml` labels.pullRequest); hosts without labels ignore them. */
  labels?: string[];
}

export interface ReviewResult {
  id: number;
  url: string;
  created: boolean;
}

export interface IssueCommentRequest {
  repository: string;
  issueNumber: number;
  /** Hidden marker identifying the comment, e.g. `<!-- testloom:workflow=issue:acme/shop#3 -->`; the body must contain it. */
  marker: string;
  body: string;
}

export interface IssueCommentResult {
  id: number;
  url: string;
  created: boolean;
}

export interface NewIssueRequest {
  repository: string;
  title: string;
  /** Hidden marker identifying the issue, e.g. `<!-- testloom:regressions=<execution id> -->`; the body must contain it. */
  marker: string;
  body: string;
  labels: string[];
}

export interface NewIssueResult {
  number: number;
  url: string;
  /** False when an issue holding the marker already existed. */
  created: boolean;
}

/** The hidden marker of the one comment a workflow keeps on its issue. */
export function workflowMarker(workflowId: string): string {
  return `<!-- testloom:workflow=${workflowId} -->`;
}

export interface Issue {
  repository: string;
  number: number;
  title: string;
  body: string;
  labels: string[];
  author: string;
  state: 'open' | 'closed';
  url: string;
}

/** A user's permission on a repository, as GitHub names them; `none` for a stranger. */
export type RepositoryPermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

/** Raised by `getIssue` for an issue the host does not have; retrying cannot help. */
export class UnknownIssueError extends Error {
  constructor(repository: string, number: number) {
    super(`issue ${repository}#${number} does not exist`);
    this.name = 'UnknownIssueError';
  }
}

export interface RepoHost {
  readonly kind: 'local' | 'github';
  getIssue(repository: string, number: number): Promise<Issue>;
  getPermission(repository: string, login: string): Promise<RepositoryPermission>;
  commitFiles(request: CommitRequest): Promise<CommitResult>;
  openOrUpdateReview(request: ReviewRequest): Promise<ReviewResult>;
  /** Updates the issue's comment holding `marker`, or creates it: one comment per marker. */
  upsertIssueComment(request: IssueCommentRequest): Promise<IssueCommentResult>;
  /** Finds the issue (open or closed) whose body holds `marker`, or opens it: one issue per marker. */
  createIssue(request: NewIssueRequest): Promise<NewIssueResult>;
  /**
   * The file `dir` names, or the files below it, on the repository's default branch (e.g. its
   * `.testloom/templates/` or `openapi.yaml`); empty when there is none, or no branch or repository yet.
   * `commit`: read at this commit (a sha the repository has, e.g. a pull request's head) instead.
   */
  readFiles(repository: string, dir: string, commit?: string): Promise<FileToCommit[]>;
}

/** Whether a permission lets its holder push, and so command testloom on the repository. */
export function canWrite(permission: RepositoryPermission): boolean {
  return permission === 'admin' || permission === 'maintain' || permission === 'write';
}
