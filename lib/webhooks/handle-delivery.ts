/**
 * What testloom does with a verified GitHub delivery. Every action lands on the issue's workflow
 * id, so handling the same delivery again (a redelivery, a duplicate) changes nothing more.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { getDelivery, recordDelivery } from '../db/deliveries';
import { saveLocalIssue } from '../db/local-issues';
import { formatIssueRef, issueWorkflowId, type IssueRef } from '../issues';
import { isIssueNumber } from '../issues/issue-ref';
import { canWrite } from '../repohost/types';
import { cancelSignal } from '../core/workflows';
import { regenerateIssueRun, startIssueRun } from '../runs/start';
import { parseCommand } from './commands';
import { checkIssuePayload, MalformedPayloadError } from './payload';
import type { Delivery, DeliveryResult, WebhookDeps } from './delivery';
import { onPullRequest, onPush } from './spec-events';
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

export async function handleDelivery(deps: WebhookDeps, delivery: Delivery): Promise<DeliveryResult> {
  const payload = delivery.payload as Partial<IssuesPayload & CommentPayload>;
  const result = (await alreadyActedOn(deps, delivery.id)) ?? (await dispatch(deps, delivery.event, payload));
  // Only what fits its column: the payload of an ignored delivery may hold anything.
  const number: unknown = payload.issue?.number;
  await recordDelivery(deps.db, {
    id: delivery.id,
    event: delivery.event,
    action: text(payload.action),
    repository: text(payload.repository?.full_name),
    issueNumber: typeof number === 'number' && isIssueNumber(number) ? number : undefined,
    sender: text(payload.sender?.login),
    outcome: result.outcome,
    reason: result.reason,
    workflowId: result.workflowId,
    runId: result.runId,
  });
  return result;
}

/**
 * A redelivery (same delivery id) of an event that already started or signalled a run answers as
 * the first time did, without acting again: otherwise a redelivered `labeled` event would restart
 * a run that has failed since.
 */
async function alreadyActedOn(deps: WebhookDeps, id: string): Promise<DeliveryResult | undefined> {
  const earlier = await getDelivery(deps.db, id);
  if (!earlier || !earlier.workflowId || !['started', 'existing', 'signalled', 'cancelled'].includes(earlier.outcome)) return undefined;
  return {
    status: 202,
    outcome: earlier.outcome,
    reason: `delivery ${id} was handled before (${earlier.outcome})`,
    workflowId: earlier.workflowId,
    ...(earlier.runId ? { runId: earlier.runId } : {}),
    duplicate: true,
  };
}

function dispatch(deps: WebhookDeps, event: string, payload: Partial<IssuesPayload & CommentPayload>): Promise<DeliveryResult> {
  if (event === 'ping') return Promise.resolve(ignored('ping: the webhook is set up'));
  if (event === 'push') return onPush(deps, payload as unknown as PushPayload);
  if (event === 'pull_request') return onPullRequest(deps, payload as unknown as PullRequestPayload);
  if (event !== 'issues' && event !== 'issue_comment') return Promise.resolve(ignored(`event "${event}" is not handled`));
  if (!payload.issue || !payload.repository) throw new MalformedPayloadError(`an ${event} event needs issue and repository`);
  const outOfRange = checkIssuePayload(event, payload);
  if (outOfRange) return Promise.resolve(ignored(outOfRange));
  if (event === 'issues') return onIssue(deps, payload as IssuesPayload);
  return onComment(deps, payload as CommentPayload);
}

const LABEL_ACTIONS = new Set(['opened', 'reopened', 'labeled', 'unlabeled']);

async function onIssue(deps: WebhookDeps, payload: IssuesPayload): Promise<DeliveryResult> {
  const ref = issueRefOf(payload);
  await rememberIssue(deps, ref, payload.issue);
  if (!LABEL_ACTIONS.has(payload.action)) {
    return payload.action === 'closed' ? cancel(deps, ref, `issue closed by ${payload.sender.login}`) : ignored(`issues.${payload.action} is not handled`);
  }
  // Only the actions the trigger label decides read it (the repository's .testloom.yml may name it).
  const label = await triggerLabelOf(deps, ref.repository);
  switch (payload.action) {
    case 'opened':
    case 'reopened':
      return labelsOf(payload.issue).includes(label) ? start(deps, ref) : ignored(`issue ${formatIssueRef(ref)} does not carry the label "${label}"`);
    case 'labeled':
      if (payload.label?.name !== label) return ignored(`label "${payload.label?.name}" is not the trigger label "${label}"`);
      return start(deps, ref);
    case 'unlabeled':
      if (payload.label?.name !== label) return ignored(`label "${payload.label?.name}" is not the trigger label "${label}"`);
      return cancel(deps, ref, `label "${label}" removed by ${payload.sender.login}`);
    default:
      return ignored(`issues.${payload.action} is not handled`);
  }
}

async function onComment(deps: WebhookDeps, payload: CommentPayload): Promise<DeliveryResult> {
  if (payload.action !== 'created') return ignored(`issue_comment.${payload.action} is not handled`);
  if (payload.issue.pull_request) return ignored('comments on pull requests are not commands for testloom');
  const command = parseCommand(payload.comment.body);
  if (!command) return ignored('the comment is not a /testloom command');
  if ('error' in command) return ignored(command.error);

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

async function start(deps: WebhookDeps, ref: IssueRef): Promise<DeliveryResult> {
  const run = await startIssueRun(deps, ref);
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
