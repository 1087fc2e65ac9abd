/** `owner/repo#12`: how an issue is named in requests, workflow ids and commands. */
export interface IssueRef {
  repository: string;
  number: number;
}

const ISSUE_REF = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)#([1-9][0-9]{0,9})$/;

export function parseIssueRef(text: string): IssueRef | undefined {
  const match = ISSUE_REF.exec(text.trim());
  return match ? { repository: match[1], number: Number(match[2]) } : undefined;
}

export function formatIssueRef(ref: IssueRef): string {
  return `${ref.repository}#${ref.number}`;
}

/** The idempotency key of an issue's runs (DESIGN §2): every delivery about the issue lands here. */
export function issueWorkflowId(ref: IssueRef): string {
  return `issue:${formatIssueRef(ref)}`;
}
