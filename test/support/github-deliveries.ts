/**
 * Real GitHub webhook payloads (@octokit/webhooks-examples), pointed at a test repository and
 * issue, and signed with the test secret exactly as GitHub signs them (HMAC-SHA256 of the body).
 */
import { createHmac, randomUUID } from 'node:crypto';
import examples from '@octokit/webhooks-examples/api.github.com/index.json';
import type { WebhookDeliveryRow } from '../../schema/tables';
import type { Harness } from './harness';

export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789';
export const TRIGGER_LABEL = 'generate-tests';

type Payload = Record<string, any>;

function example(event: string, action: string): Payload {
  const definition = (examples as { name: string; examples: Payload[] }[]).find((d) => d.name === event);
  const found = definition?.examples.find((e) => e.action === action);
  if (!found) throw new Error(`no @octokit/webhooks-examples payload for ${event}.${action}`);
  return structuredClone(found);
}

function label(name: string) {
  return { id: 1, node_id: 'LA_test', url: `https://api.github.com/labels/${name}`, name, color: '0e8a16', default: false, description: null };
}

export interface IssueTarget {
  repository: string;
  number: number;
  title?: string;
  body?: string;
  labels?: string[];
}

function pointAt(payload: Payload, target: IssueTarget, sender: string): Payload {
  const [owner, name] = target.repository.split('/');
  payload.repository.full_name = target.repository;
  payload.repository.name = name;
  payload.repository.owner.login = owner;
  payload.issue.number = target.number;
  payload.issue.title = target.title ?? `Pets can be filtered by tag (#${target.number})`;
  payload.issue.body = target.body ?? '## Acceptance criteria\n- GET /pets?tag=dog returns only dogs\n- an unknown tag returns an empty list';
  payload.issue.labels = (target.labels ?? []).map(label);
  payload.issue.state = 'open';
  payload.sender.login = sender;
  return payload;
}

/** An `issues` event: `labeled`/`unlabeled` name the label that changed. */
export function issuesEvent(action: 'opened' | 'labeled' | 'unlabeled' | 'closed' | 'edited', target: IssueTarget, options: { label?: string; sender?: string } = {}): Payload {
  // The examples have no `closed` payload; a `reopened` one has the same shape.
  const payload = pointAt(example('issues', action === 'closed' ? 'reopened' : action), target, options.sender ?? target.repository.split('/')[0]);
  payload.action = action;
  if (action === 'labeled' || action === 'unlabeled') payload.label = label(options.label ?? TRIGGER_LABEL);
  if (action === 'closed') payload.issue.state = 'closed';
  return payload;
}

export function commentEvent(target: IssueTarget, body: string, commenter: string): Payload {
  const payload = pointAt(example('issue_comment', 'created'), target, commenter);
  payload.comment.body = body;
  payload.comment.user.login = commenter;
  return payload;
}

export function sign(body: string | Buffer, secret = WEBHOOK_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface DeliveryOptions {
  id?: string;
  secret?: string;
  signature?: string | null;
  rawBody?: string | Buffer;
}

/** POSTs a delivery to the harness's receiver over its real socket. */
export async function deliver(harness: Harness, event: string, payload: Payload, options: DeliveryOptions = {}) {
  const body = options.rawBody ?? JSON.stringify(payload);
  const id = options.id ?? randomUUID();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': id,
    'user-agent': 'GitHub-Hookshot/test',
  };
  const signature = options.signature === undefined ? sign(body, options.secret) : options.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  const response = await fetch(`${harness.api.url}/api/webhooks/github`, { method: 'POST', headers, body });
  const text = await response.text();
  return {
    id,
    status: response.status,
    outcome: response.headers.get('x-testloom-outcome'),
    reason: response.headers.get('x-testloom-reason'),
    body: text ? JSON.parse(text) : undefined,
  };
}

/** The delivery's row once the webhook inbox has handled it (its outcome is no longer `accepted`). */
export async function handledDelivery(harness: Harness, id: string, timeoutMs = 110_000): Promise<WebhookDeliveryRow> {
  return (await handledDeliveries(harness, [id], timeoutMs))[0];
}

/**
 * The deliveries' rows, in the order of `ids`, once the inbox has handled them all. One query per
 * look, not one per delivery: hundreds of pollers would compete with the inbox for the database.
 */
export async function handledDeliveries(harness: Harness, ids: string[], timeoutMs = 110_000): Promise<WebhookDeliveryRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await harness.database.db.selectFrom('webhookDeliveries').selectAll().where('id', 'in', ids).execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    const waiting = ids.filter((id) => (byId.get(id)?.outcome ?? 'accepted') === 'accepted');
    if (!waiting.length) return ids.map((id) => byId.get(id)!);
    if (Date.now() > deadline) {
      const examples = waiting.slice(0, 3).map((id) => JSON.stringify(byId.get(id) ?? { id, row: 'missing' }));
      throw new Error(`${waiting.length} of ${ids.length} deliveries were not handled within ${timeoutMs} ms, e.g. ${examples.join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** deliver(), and for a delivery the receiver accepted, what the inbox made of it (`handled`). */
export async function deliverAndHandle(harness: Harness, event: string, payload: Payload, options: DeliveryOptions = {}) {
  const response = await deliver(harness, event, payload, options);
  const handled = response.status === 202 && response.outcome === 'accepted' ? await handledDelivery(harness, response.id) : undefined;
  return { ...response, handled };
}

/** Polls `probe` until it returns a value; throws after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
