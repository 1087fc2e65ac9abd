import express, { Router, type Request } from 'express';
import { recordWebhookOutcome } from '../../lib/monitoring/metrics';
import { MalformedPayloadError } from '../../lib/webhooks/handle-delivery';
import { DeliveryReceiver } from '../../lib/webhooks/receive';
import { SignatureVerifier } from '../../lib/webhooks/signature';
import { startSpecRun } from '../../lib/runs/start';
import { parseSpecChangedBody } from '../validation';
import type { AppDeps } from '../deps';
import { HttpError } from '../errors';

/** GitHub never sends a payload larger than this; anything bigger is not a GitHub delivery. */
const GITHUB_PAYLOAD_LIMIT = 25 * 1024 * 1024;

/**
 * `POST /api/webhooks/github`: authenticated by the delivery's HMAC signature over the raw body
 * (no API key), then handed to lib/webhooks. 204 with an `X-Testloom-Reason` when the payload alone
 * shows the delivery asks for nothing; otherwise 202 once it is stored (`accepted`), before anything
 * is started: the webhook inbox handles it (GitHub wants an answer within 10 s and does not retry).
 */
export function webhooksRouter(deps: AppDeps): Router {
  const router = Router();
  const secret = deps.config.github.webhookSecret;
  const verifier = secret ? new SignatureVerifier(secret) : undefined;
  const receiver = new DeliveryReceiver(deps.db);

  router.post('/github', express.raw({ type: () => true, limit: GITHUB_PAYLOAD_LIMIT }), async (req, res) => {
    if (!verifier) throw new HttpError(503, 'webhooks_disabled', 'the webhook receiver is off: set GITHUB_WEBHOOK_SECRET');
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!(await verifier.verify(raw, req.header('x-hub-signature-256')))) {
      // Unverified headers are the sender's words: never a metric label (unbounded cardinality).
      recordWebhookOutcome('unverified', 'unauthorized');
      throw new HttpError(401, 'invalid_signature', 'X-Hub-Signature-256 is missing or does not match the payload and the configured secret');
    }
    const event = requiredHeader(req, 'x-github-event');
    const id = requiredHeader(req, 'x-github-delivery');
    let payload: Record<string, unknown>;
    try {
      payload = parsePayload(req, raw);
    } catch (err) {
      recordWebhookOutcome(event, 'invalid');
      throw err;
    }
    let receipt;
    try {
      receipt = await receiver.receive({ id, event, payload, bytes: raw.length });
    } catch (err) {
      recordWebhookOutcome(event, err instanceof MalformedPayloadError ? 'invalid' : 'error');
      if (err instanceof MalformedPayloadError) throw new HttpError(400, 'invalid_payload', err.message);
      throw err;
    }
    if (receipt.kind === 'ignored') {
      recordWebhookOutcome(event, 'ignored');
      res.setHeader('X-Testloom-Outcome', 'ignored').setHeader('X-Testloom-Reason', headerSafe(receipt.reason));
      return void res.status(204).end();
    }
    if (receipt.kind === 'duplicate') {
      const { outcome, workflowId, runId } = receipt.row;
      recordWebhookOutcome(event, 'duplicate');
      res.setHeader('X-Testloom-Outcome', outcome);
      return void res.status(202).json({ delivery: id, outcome, workflowId, runId: runId ?? undefined, reason: `delivery ${id} was handled before (${outcome})` });
    }
    deps.webhookInbox?.wake();
    res.setHeader('X-Testloom-Outcome', 'accepted');
    res.status(202).json({ delivery: id, outcome: 'accepted', reason: 'stored; handled in the background (its outcome is recorded with the delivery)' });
  });
  const specVerifier = deps.config.api.specWebhookSecret ? new SignatureVerifier(deps.config.api.specWebhookSecret) : undefined;
  router.post('/spec-changed', express.raw({ type: () => true, limit: deps.config.api.maxSpecBytes + 64 * 1024 }), async (req, res) => {
    if (!specVerifier) throw new HttpError(503, 'webhooks_disabled', 'the spec-changed receiver is off: set TESTLOOM_SPEC_WEBHOOK_SECRET');
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!(await specVerifier.verify(raw, req.header('x-testloom-signature-256')))) {
      throw new HttpError(401, 'invalid_signature', 'X-Testloom-Signature-256 is missing or does not match the payload and the configured secret');
    }
    const body = parseSpecChangedBody(parsePayload(req, raw));
    const started = await startSpecRun(deps, { spec: body.spec, name: body.name, ...(body.repository ? { repository: body.repository } : {}) });
    res
      .status(started.existing ? 200 : 202)
      .location(`/api/v1/runs/${started.runId}`)
      .json({ event: body.event, ...started, links: { self: `/api/v1/runs/${started.runId}` } });
  });
  return router;
}

/** GitHub's event names and delivery GUIDs are short; anything longer is not from GitHub (and would not fit an index). */
const HEADER_MAX_LENGTH = 100;

function requiredHeader(req: Request, name: string): string {
  const value = req.header(name);
  if (!value) throw new HttpError(400, 'invalid_request', `${name} header is missing`, [{ field: name, message: 'required' }]);
  if (value.length > HEADER_MAX_LENGTH) {
    throw new HttpError(400, 'invalid_request', `${name} header is longer than ${HEADER_MAX_LENGTH} characters`, [{ field: name, message: `at most ${HEADER_MAX_LENGTH} characters` }]);
  }
  return value;
}

/** GitHub sends JSON, or a form with a `payload` field when the hook's content type is form-encoded. */
function parsePayload(req: Request, raw: Buffer): Record<string, unknown> {
  let text = raw.toString('utf8');
  if (req.is('application/x-www-form-urlencoded')) text = new URLSearchParams(text).get('payload') ?? '';
  try {
    const payload: unknown = JSON.parse(text);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new Error('not a JSON object');
    return payload as Record<string, unknown>;
  } catch (err) {
    throw new HttpError(400, 'invalid_json', `the payload is not a JSON object: ${(err as Error).message}`);
  }
}

/** Header values must be Latin-1 without line breaks. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 500);
}
