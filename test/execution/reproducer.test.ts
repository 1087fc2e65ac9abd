import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { promisify } from 'node:util';
import express from 'express';
import { checkTarget, curlCommand, startRecordingProxy } from '../../lib/execution';

const run = promisify(execFile);
const TOKEN = 'bearer-9d2f-secret';
const BASIC = 'alice:wonder-land';

describe('curl reproducers of recorded exchanges', () => {
  let server: Server;
  let baseUrl: string;
  const seen: { authorization?: string; body: unknown; query: unknown }[] = [];

  beforeAll(async () => {
    const app = express();
    app.post('/api/orders', express.json(), (req, res) => {
      seen.push({ authorization: req.headers.authorization, body: req.body, query: req.query });
      res.status(req.headers.authorization === `Bearer ${TOKEN}` || req.headers.authorization === `Basic ${Buffer.from(BASIC).toString('base64')}` ? 201 : 401).json({ ok: true });
    });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test.each([
    ['bearer', `Bearer ${TOKEN}`, 'Bearer <secret:API_AUTH_TOKEN>'],
    ['basic', `Basic ${Buffer.from(BASIC).toString('base64')}`, 'Basic <secret-base64:API_AUTH_BASIC>'],
  ])('a %s credential is recorded as a marker and read back from the environment when the command runs', async (_kind, header, recorded) => {
    const target = checkTarget({ baseUrl, env: { API_AUTH_TOKEN: TOKEN, API_AUTH_BASIC: BASIC }, allowedMethods: ['POST'] });
    const proxy = await startRecordingProxy(target);
    try {
      const answer = await fetch(`${proxy.baseUrl}/orders?note=it's`, { method: 'POST', headers: { authorization: header, 'content-type': 'application/json' }, body: '{"item":"pen"}' });
      expect(answer.status).toBe(201);
      const [exchange] = proxy.exchanges;
      expect(exchange.requestHeaders.authorization).toBe(recorded);
      const command = curlCommand(exchange);
      expect(command).not.toContain(TOKEN);
      expect(command).not.toContain(Buffer.from(BASIC).toString('base64'));
      seen.length = 0;
      const { stdout } = await run('bash', ['-c', command], { env: { PATH: process.env.PATH, API_AUTH_TOKEN: TOKEN, API_AUTH_BASIC: BASIC } });
      expect(stdout.split('\r\n')[0]).toBe('HTTP/1.1 201 Created');
      expect(seen).toEqual([{ authorization: header, body: { item: 'pen' }, query: { note: "it's" } }]);
    } finally {
      await proxy.close();
    }
  });
});
