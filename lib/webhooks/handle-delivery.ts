/**
 * What testloom does with a verified GitHub delivery. Every action lands on the issue's workflow
 * id, so handling the same delivery again (a redelivery, a duplicate) changes nothing more.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import type { DeliveryRecord } from '../db/deliveries';
import { saveLocalIssue } from '../db/local-issues';
import { formatIssueRef, issueWorkflowId, type IssueRef } from '../issues';
import { isIssueNumber } from '../issues/issue-ref';
import { canWrite } from '../repohost/types';
import { cancelSignal } from '../core/workflows';
import { regenerateIssueRun, startIssueRun } from '../runs/start';
import { parseCommand } from './commands';
import { checkIssuePayload, MalformedPayloadError } from './payload';
import type { Delivery, DeliveryResult, WebhookDeps } from './delivery';
import { onPullRequest, onPush, triagePullRequest, triagePush } from './spec-events';
import { triggerLabelOf } from './trigger-label';

export type { Delivery, DeliveryResult, WebhookDeps };

export { MalformedPayloadError };

type IssuesPayload = EmitterWebhookEvent<'issues'>['payload'];
type PushPayload = EmitterWebhookEvent<'push'>['payload'];
type PullRequestPayload = EmitterWebhookEvent<'pull_request'>['payload'];
type CommentPayload = EmitterWebhookEvent<'issue_comment'>['payload'];
type IssueData = IssuesPayload['issue'];

const ignored = (reason: string): DeliveryResult => ({ status: 204, outcome: 'ignored', reason });

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * The issue runs a caller just started or found, by workflow id: a start of the same issue right
 * after (GitHub sends `opened` and `labeled` together for an issue created with its label, and a
 * burst of deliveries about one issue is handled in one go) finds that run without asking
 * Temporal again. Only for deliveries handled one after another; a cancel forgets the issue.
 */
export type RunsSeen = Map<string, { workflowId: string; runId: string }>;

/** What a verified delivery's payload alone says: handle it (in the background), or why it is ignored. */
export type Triage = { handle: true } | { handle: false; reason: string };

const handle: Triage = { handle: true };
const ignore = (reason: string): Triage => ({ handle: false, reason });

/**
 * Decides from the event and payload alone, with no database, repository host or Temporal, whether
 * a delivery needs handling: so a delivery that asks for nothing is answered at once, and only one
 * that may act is stored for the inbox. Throws MalformedPayloadError for a payload that is not the
 * event it claims to be.
 */
export function triageDelivery(event: string, payload: Record<string, unknown>): Triage {
  if (event === 'ping') return ignore('ping: the webhook is set up');
  if (event === 'push') return whyIgnored(triagePush(payload as unknown as PushPayload));
  if (event === 'pull_request') return whyIgnored(triagePullRequest(payload as unknown as PullRequestPayload));
  if (event !== 'issues' && event !== 'issue_comment') return ignore(`event "${event}" is not handled`);
  if (!payload.issue || !payload.repository) throw new MalformedPayloadError(`an ${event} event needs issue and repository`);
  const outOfRange = checkIssuePayload(event, payload);
  if (outOfRange) return ignore(outOfRange);
  if (event === 'issues') {
    const action = payload.action as string;
    return LABEL_ACTIONS.has(action) || action === 'closed' ? handle : ignore(`issues.${action} is not handled`);
  }
  const { action, issue, comment } = payload as unknown as CommentPayload;
  if (action !== 'created') return ignore(`issue_comment.${action} is not handled`);
  if (issue.pull_request) return ignore('comments on pull requests are not commands for testloom');
  const command = parseCommand(comment.body);
  if (!command) return ignore('the comment is not a /testloom command');
  return 'error' in command ? ignore(command.error) : handle;
}

const whyIgnored = (reason: string | undefined): Triage => (reason === undefined ? handle : ignore(reason));

/** The fields of a delivery's row that its payload gives, only what fits each column (the payload may hold anything). */
export function deliveryFields(delivery: Delivery): Pick<DeliveryRecord, 'id' | 'event' | 'action' | 'repository' | 'issueNumber' | 'sender'> {
  const payload = delivery.payload as Partial<IssuesPayload>;
  const number: unknown = payload.issue?.number;
  return {
    id: delivery.id,
    event: delivery.event,
    action: text(payload.action),
    repository: text(payload.repository?.full_name),
    issueNumber: typeof number === 'number' && isIssueNumber(number) ? number : undefined,
    sender: text(payload.sender?.login),
  };
}

/**
 * Acts on a delivery triage let through: starts, signals or cancels the issue's run, starts
 * revision runs, comments on a pull request. Every action lands on a fixed workflow id (or
 * comment), so handling a delivery again changes nothing more.
 */
export function handleDelivery(deps: WebhookDeps, event: string, payload: Record<string, unknown>, seen?: RunsSeen): Promise<DeliveryResult> {
  const triage = triageDelivery(event, payload);
  if (!triage.handle) return Promise.resolve(ignored(triage.reason));
  if (event === 'push') return onPush(deps, payload as unknown as PushPayload);
  if (event === 'pull_request') return onPullRequest(deps, payload as unknown as PullRequestPayload);
  if (event === 'issues') return onIssue(deps, payload as unknown as IssuesPayload, seen);
  return onComment(deps, payload as unknown as CommentPayload);
}

const LABEL_ACTIONS = new Set(['opened', 'reopened', 'labeled', 'unlabeled']);

async function onIssue(deps: WebhookDeps, payload: IssuesPayload, seen?: RunsSeen): Promise<DeliveryResult> {
  const ref = issueRefOf(payload);
  await rememberIssue(deps, ref, payload.issue);
  if (payload.action === 'closed') return cancel(deps, ref, `issue closed by ${payload.sender.login}`);
  // Only the actions the trigger label decides read it (the repository's .testloom.yml may name it).
  const label = await triggerLabelOf(deps, ref.repository);
  switch (payload.action) {
    case 'opened':
    case 'reopened':
      return labelsOf(payload.issue).includes(label) ? start(deps, ref, seen) : ignored(`issue ${formatIssueRef(ref)} does not carry the label "${label}"`);
    case 'labeled':
      if (payload.label?.name !== label) return ignored(`label "${payload.label?.name}" is not the trigger label "${label}"`);
      return start(deps, ref, seen);
    case 'unlabeled':
      if (payload.label?.name !== label) return ignored(`label "${payload.label?.name}" is not the trigger label "${label}"`);
      return cancel(deps, ref, `label "${label}" removed by ${payload.sender.login}`);
    default:
      return ignored(`issues.${payload.action} is not handled`);
  }
}

async function onComment(deps: WebhookDeps, payload: CommentPayload): Promise<DeliveryResult> {
  const command = parseCommand(payload.comment.body);
  if (!command || 'error' in command) return ignored('the comment is not a /testloom command');

  const ref = issueRefOf(payload);
  const login = payload.comment.user?.login ?? payload.sender.login;
  const permission = await deps.repoHost.getPermission(ref.repository, login);
  if (!canWrite(permission)) {
    const access = permission === 'none' ? 'no' : permission;
    return { status: 204, outcome: 'refused', reason: `${login} has ${access} access to ${ref.repository}; /testloom commands need write access` };
  }
  await rememberIssue(deps, ref, payload.issue as unknown as IssueData);
  if (command.name === 'cancel') return cancel(deps, ref, `/testloom cancel by ${login}`);
  const run = await regenerateIssueRun(deps, ref, command.feedback);
  return { status: 202, outcome: 'signalled', reason: `regenerate requested by ${login}`, workflowId: run.workflowId, runId: run.runId };
}

async function start(deps: WebhookDeps, ref: IssueRef, seen?: RunsSeen): Promise<DeliveryResult> {
  const found = seen?.get(issueWorkflowId(ref));
  if (found) return { status: 202, outcome: 'existing', workflowId: found.workflowId, runId: found.runId };
  const run = await startIssueRun(deps, ref);
  seen?.set(run.workflowId, { workflowId: run.workflowId, runId: run.runId });
  return { status: 202, outcome: run.existing ? 'existing' : 'started', workflowId: run.workflowId, runId: run.runId };
}

async function cancel(deps: WebhookDeps, ref: IssueRef, reason: string): Promise<DeliveryResult> {
  const workflowId = issueWorkflowId(ref);
  try {
    await deps.client.workflow.getHandle(workflowId).signal(cancelSignal, { reason });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { ...ignored(`no run of ${formatIssueRef(ref)} is in progress`), workflowId };
    throw err;
  }
  return { status: 202, outcome: 'cancelled', reason, workflowId };
}

/** Keeps the local host's copy of an issue current; GitHub keeps its own. */
async function rememberIssue(deps: WebhookDeps, ref: IssueRef, issue: IssueData): Promise<void> {
  if (deps.repoHost.kind !== 'local') return;
  await saveLocalIssue(deps.db, {
    ...ref,
    title: issue.title,
    body: issue.body ?? '',
    labels: labelsOf(issue),
    author: issue.user?.login ?? 'ghost',
    state: issue.state === 'closed' ? 'closed' : 'open',
  });
}

function issueRefOf(payload: { repository: { full_name: string }; issue: { number: number } }): IssueRef {
  return { repository: payload.repository.full_name, number: payload.issue.number };
}

function labelsOf(issue: { labels?: ({ name: string } | string | null)[] }): string[] {
  return (issue.labels ?? []).flatMap((label) => (label === null ? [] : [typeof label === 'string' ? label : label.name]));
}
