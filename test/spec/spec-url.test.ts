/**
 * spec.url reaches public addresses only (or hosts on TESTLOOM_SPEC_URL_HOSTS): loopback, private,
 * link-local/metadata and names resolving to them are refused before any connection, every
 * redirect hop is checked the same way, and the connection goes to the checked address.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { listen, type RunningServer } from '../../api/server';
import { addressRange, fetchPublic, PublicFetchError } from '../../lib/net/public-fetch';
import { apiRequest, createHarness, type Harness } from '../support/harness';

const SPEC = 'openapi: 3.0.3\ninfo: {title: Fetched pets, version: "1"}\npaths:\n  /pets:\n    get:\n      responses: {"200": {description: ok}}\n';

/** An HTTP server that counts the connections made to it. */
async function countingServer(host: string, handler: http.RequestListener) {
  const server = http.createServer(handler);
  const seen = { connections: 0, hosts: [] as string[] };
  server.on('connection', () => seen.connections++);
  server.on('request', (req) => seen.hosts.push(String(req.headers.host)));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { server, port, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function stored(harness: Harness) {
  const { rows } = await sql<{ specs: number; runs: number }>`
    select (select count(*)::int from specs) as specs, (select count(*)::int from runs) as runs`.execute(harness.database.db);
  return rows[0];
}

async function post(url: string, body: unknown) {
  const response = await fetch(`${url}/api/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
}

function expectRefused(answer: { status: number; body: any }, message: RegExp) {
  expect(answer.status).toBe(400);
  expect(answer.body).toEqual({ error: { code: 'invalid_spec', message: expect.any(String), details: [{ field: 'spec.url', message: expect.any(String) }] } });
  expect(answer.body.error.message).toMatch(message);
  expect(answer.body.error.message).toMatch(/TESTLOOM_SPEC_URL_HOSTS/);
}

describe('address classification', () => {
  it('calls only plain public unicast public; IPv4-mapped IPv6 is unwrapped', () => {
    expect(addressRange('93.184.216.34')).toBe('unicast');
    expect(addressRange('2606:4700:4700::1111')).toBe('unicast');
    const refused: [string, string][] = [
      ['127.0.0.1', 'loopback'], ['::1', 'loopback'], ['10.0.0.1', 'private'], ['172.16.5.4', 'private'], ['192.168.1.1', 'private'],
      ['169.254.169.254', 'linkLocal'], ['fe80::1', 'linkLocal'], ['fd00:ec2::254', 'uniqueLocal'], ['224.0.0.251', 'multicast'],
      ['ff02::1', 'multicast'], ['0.0.0.0', 'unspecified'], ['::', 'unspecified'], ['100.100.100.200', 'carrierGradeNat'],
      ['255.255.255.255', 'broadcast'], ['240.0.0.1', 'reserved'], ['::ffff:127.0.0.1', 'loopback'], ['::ffff:169.254.169.254', 'linkLocal'],
    ];
    for (const [address, range] of refused) expect([address, addressRange(address)]).toEqual([address, range]);
    // NAT64 and the deprecated IPv4-compatible form are not public unicast either.
    expect(addressRange('64:ff9b::7f00:1')).not.toBe('unicast');
    expect(addressRange('::7f00:1')).not.toBe('unicast');
  });
});

describe('the public fetcher', () => {
  it('connects to the checked address, keeping the host name in Host, and only for an allowed name', async () => {
    const target = await countingServer('127.0.0.1', (_req, res) => res.end(SPEC));
    try {
      const resolveHost = async () => [{ address: '127.0.0.1', family: 4 }];
      const url = `http://specs.example.test:${target.port}/pets.yaml`;
      const refused = await fetchPublic(url, { allowedHosts: [], maxBytes: 10_000, timeoutMs: 5_000, resolveHost }).catch((err) => err);
      expect(refused).toBeInstanceOf(PublicFetchError);
      expect(refused).toMatchObject({ reason: 'refused', message: 'host specs.example.test does not resolve to a public address' });
      expect(target.seen.connections).toBe(0);

      const fetched = await fetchPublic(url, { allowedHosts: ['specs.example.test'], maxBytes: 10_000, timeoutMs: 5_000, resolveHost });
      expect(fetched.body.toString()).toBe(SPEC);
      expect(target.seen.hosts).toEqual([`specs.example.test:${target.port}`]);
    } finally {
      await target.close();
    }
  });

  it('stops at the size limit while streaming, at the time limit, and after 5 redirects', async () => {
    const server = await countingServer('127.0.0.1', (req, res) => {
      if (req.url === '/endless') {
        res.writeHead(200, { 'content-type': 'application/yaml' }); // chunked: no Content-Length to check first
        const timer = setInterval(() => res.write('x'.repeat(4096)), 5);
        res.on('close', () => clearInterval(timer));
      } else if (req.url === '/silent') {
        // never answers
      } else {
        const hop = Number(req.url!.slice(1)) || 0;
        res.writeHead(302, { location: `/${hop + 1}` }).end();
      }
    });
    const options = { allowedHosts: ['127.0.0.1'], maxBytes: 64 * 1024, timeoutMs: 1_000 };
    try {
      await expect(fetchPublic(`http://127.0.0.1:${server.port}/endless`, options)).rejects.toMatchObject({ reason: 'too-large' });
      const started = Date.now();
      await expect(fetchPublic(`http://127.0.0.1:${server.port}/silent`, options)).rejects.toMatchObject({ reason: 'unavailable', message: 'no complete answer within 1000 ms' });
      expect(Date.now() - started).toBeLessThan(3_000);
      await expect(fetchPublic(`http://127.0.0.1:${server.port}/0`, options)).rejects.toMatchObject({ reason: 'unavailable', message: 'more than 5 redirects' });
    } finally {
      server.server.closeAllConnections();
      await server.close();
    }
  });
});

describe('spec.url over a real socket (PGlite)', () => {
  let harness: Harness;
  let allowing: RunningServer;
  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite', chromaUrl: 'off' });
    // Another API on the same database whose operator allows the host 127.0.0.1 (and nothing else).
    allowing = await listen({
      db: harness.database.db, client: harness.client, repoHost: harness.repoHost,
      config: { ...harness.config, api: { ...harness.config.api, specUrlHosts: ['127.0.0.1'] } },
    }, '127.0.0.1', 0);
  });
  afterAll(async () => {
    await allowing?.close();
    await harness?.close();
  });

  it('refuses loopback, private, link-local/metadata addresses and names that resolve to loopback, before connecting, storing nothing', async () => {
    const listening = await countingServer('127.0.0.1', (_req, res) => res.end(SPEC));
    try {
      const before = await stored(harness);
      const port = listening.port;
      const cases: [string, RegExp][] = [
        [`http://127.0.0.1:${port}/spec.yaml`, /^spec\.url: 127\.0\.0\.1 is not a public address \(loopback\)/],
        [`http://[::1]:${port}/spec.yaml`, /^spec\.url: ::1 is not a public address \(loopback\)/],
        ['http://10.0.0.1/spec.yaml', /^spec\.url: 10\.0\.0\.1 is not a public address \(private\)/],
        ['http://169.254.169.254/latest/meta-data/', /^spec\.url: 169\.254\.169\.254 is not a public address \(link-local\)/],
        [`http://localhost:${port}/spec.yaml`, /^spec\.url: host localhost does not resolve to a public address/],
        [`http://[::ffff:127.0.0.1]:${port}/spec.yaml`, /is not a public address \(loopback\)/],
      ];
      for (const [url, message] of cases) expectRefused(await post(harness.api.url, { spec: { url } }), message);
      expect(listening.seen.connections).toBe(0);
      // A name that does not resolve gets the same answer as one that resolves inside: no map of internal names.
      expectRefused(await post(harness.api.url, { spec: { url: 'http://no-such-host.invalid/spec.yaml' } }), /^spec\.url: host no-such-host\.invalid does not resolve to a public address/);
      expect(await stored(harness)).toEqual(before);
    } finally {
      await listening.close();
    }
  });

  it('checks every redirect hop: an allowed host redirecting to a forbidden address gets no connection made to it', async () => {
    const forbidden = await countingServer('127.0.0.2', (_req, res) => res.end(SPEC));
    const allowed = await countingServer('127.0.0.1', (_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.2:${forbidden.port}/spec.yaml` }).end();
    });
    try {
      const before = await stored(harness);
      const answer = await post(allowing.url, { spec: { url: `http://127.0.0.1:${allowed.port}/spec.yaml` } });
      expectRefused(answer, /^spec\.url: 127\.0\.0\.2 is not a public address \(loopback\)/);
      expect(allowed.seen.connections).toBe(1);
      expect(forbidden.seen.connections).toBe(0);
      expect(await stored(harness)).toEqual(before);
    } finally {
      await allowed.close();
      await forbidden.close();
    }
  });

  it('fetches a spec from an allowed host (following a redirect on it) and stores it', async () => {
    const server = await countingServer('127.0.0.1', (req, res) => {
      if (req.url === '/old.yaml') res.writeHead(301, { location: '/spec.yaml' }).end();
      else res.end(SPEC);
    });
    try {
      const answer = await post(allowing.url, { spec: { url: `http://127.0.0.1:${server.port}/old.yaml` }, repository: 'fence/url' });
      expect(answer.status).toBe(202);
      const row = await harness.database.db.selectFrom('specs').selectAll().where('id', '=', answer.body.specId).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ content: SPEC, sourceKind: 'url', sourceLocation: `http://127.0.0.1:${server.port}/old.yaml` });
    } finally {
      await server.close();
    }
  });

  it('refuses an external $ref in a fetched spec and an answer over the size limit', async () => {
    const server = await countingServer('127.0.0.1', (req, res) => {
      if (req.url === '/ref.yaml') res.end(SPEC.replace('responses: {"200": {description: ok}}', 'responses: {"200": {$ref: "/etc/passwd"}}'));
      else res.end(`${SPEC}x-padding: "${'a'.repeat(harness.config.api.maxSpecBytes)}"\n`);
    });
    try {
      const before = await stored(harness);
      const ref = await post(allowing.url, { spec: { url: `http://127.0.0.1:${server.port}/ref.yaml` } });
      expect(ref.status).toBe(400);
      expect(ref.body.error.message).toBe('spec.url: external $ref "/etc/passwd" at #/paths/~1pets/get/responses/200 is not allowed: a spec given as content or URL may only reference inside itself');
      const big = await post(allowing.url, { spec: { url: `http://127.0.0.1:${server.port}/big.yaml` } });
      expect(big.status).toBe(413);
      expect(big.body.error.details).toEqual([{ field: 'spec.url', message: expect.stringContaining('larger than the limit') }]);
      expect(await stored(harness)).toEqual(before);
    } finally {
      await server.close();
    }
  });

  it('refuses other schemes', async () => {
    const answer = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { url: 'file:///etc/passwd' } });
    expect(answer.status).toBe(400);
    expect(answer.body.error.details.map((d: { field: string }) => d.field)).toContain('spec.url');
  });
});
