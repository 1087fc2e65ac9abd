/** The seeded faults of the issue tracker: each one a realistic bug, switched on alone. */

export const FAULTS = {
  'key-pattern-unchecked': 'POST /projects accepts any 2 to 10 character key ("web app", "x-1"), not only ^[A-Z][A-Z0-9]{1,9}$',
  'visibility-enum-unchecked': 'POST /projects accepts and stores any string as visibility',
  'create-issue-200': 'POST /projects/{projectId}/issues answers 200 instead of the documented 201',
  'unassign-null-500': 'PATCH …/issues/{issueKey} with "assigneeId": null (unassign) answers 500 instead of clearing the assignee',
  'updated-at-epoch': 'issues carry updatedAt as epoch milliseconds (a number), not an ISO date-time string',
  'labels-null': 'an issue created without labels is returned with "labels": null instead of []',
  'duplicate-key-allowed': 'POST /projects creates a second project with a key already in use (201 instead of 409)',
  'close-twice-allowed': 'closing an issue that is already closed answers 200 (and overwrites its resolution and closedAt) instead of 409',
  'delete-project-with-open-issues': 'DELETE /projects/{projectId} deletes a project that has open issues (204 instead of 409)',
  'assignee-unchecked': 'POST …/issues stores an assigneeId no user has (201 instead of 422)',
  'open-count-stale': "closing an issue does not decrement its project's openIssues",
  'priority-filter-ignored': 'GET …/issues?priority= returns issues of every priority',
  'cursor-skips': 'GET …/issues pages: "next" is one past the last issue of the page, so the first issue of each following page is skipped',
  'get-project-auth-ignored': 'GET /projects/{projectId} answers without a bearer token (private projects readable by anyone)',
  'validation-error-json': 'the 400 answers are sent as application/json instead of the documented application/problem+json',
} as const;

export type FaultName = keyof typeof FAULTS;
