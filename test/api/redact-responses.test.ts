/**
 * The last line of defence on response bodies: a body that carries no secret is sent as it is (no
 * copy); one that carries a secret anywhere — in a value, a key, behind JSON escaping, or a
 * password in any URL — is sent redacted. Over a real socket, through Express.
 */
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { REDACTED, redactJsonResponses } from '../../api/security/redact';

const QUOTED_SECRET = 'sk-"quoted"\\secret-0123';
const PLAIN_SECRET = 'plain-secret-0123456789';

const SECRETS = [QUOTED_SECRET, PLAIN_SECRET].sort((a, b) => b.length - a.length);

/** What a route's `res.json(body)` puts on the wire, through the middleware on a real server. */
async function answer(body: unknown): Promise<string> {
  const app = express();
  app.use(redactJsonResponses(SECRETS));
  app.get('/', (_req, res) => {
    res.json(body);
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    return await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).text();
  } finally {
    server.close();
  }
}

/** The value the middleware hands on to Express's own `res.json`. */
function handedOn(body: unknown): unknown {
  const res = { json: (value: unknown) => value } as unknown as Response;
  redactJsonResponses(SECRETS)({} as Request, res, () => undefined);
  return res.json(body);
}

test('a body without secrets is sent as it is, not copied', async () => {
  const body = { runs: [{ id: 'r1', url: 'https://example.com/a' }], note: 'postgres://host/db without a password' };
  expect(JSON.parse(await answer(body))).toEqual(body);
  expect(handedOn(body)).toBe(body);
});

test.each([
  ['in a value', { message: `failed with ${PLAIN_SECRET}` }],
  ['in a key', { [PLAIN_SECRET]: 1 }],
  ['behind JSON escaping', { nested: [{ detail: `token ${QUOTED_SECRET} refused` }] }],
  ['as a URL password', { reason: 'could not reach postgres://app:hunter2@db.internal/app' }],
])('a secret %s is redacted', async (_where, body) => {
  const text = await answer(body);
  expect(handedOn(body)).not.toBe(body);
  for (const secret of [PLAIN_SECRET, QUOTED_SECRET, 'hunter2']) expect(text).not.toContain(JSON.stringify(secret).slice(1, -1));
  expect(text).toContain(REDACTED);
});
