export { acceptanceCriteria } from './acceptance-criteria';
export { formatIssueRef, issueWorkflowId, parseIssueRef, type IssueRef } from './issue-ref';
