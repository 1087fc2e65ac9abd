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
}

export interface ReviewResult {
  id: number;
  url: string;
  created: boolean;
}

export interface RepoHost {
  readonly kind: 'local' | 'github';
  commitFiles(request: CommitRequest): Promise<CommitResult>;
  openOrUpdateReview(request: ReviewRequest): Promise<ReviewResult>;
}
