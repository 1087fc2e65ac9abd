/**
 * The Dockerfile's HEALTHCHECK command, taken from the Dockerfile as written and run for real:
 * healthy against the real API (harness: real Temporal dev server, PGlite, Express on a socket),
 * unhealthy when /api/health answers 503 and when nothing listens.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { DockerfileParser } from 'dockerfile-ast';
import { createHarness, type Harness } from '../support/harness';
import { projectFile, run } from './support/tools';

/** The HEALTHCHECK's exec form, e.g. ["node", "-e", "…"]. */
function healthcheckCommand(): string[] {
  const dockerfile = DockerfileParser.parse(fs.readFileSync(projectFile('Dockerfile'), 'utf8'));
  const healthchecks = dockerfile.getInstructions().filter((i) => i.getKeyword() === 'HEALTHCHECK');
  expect(healthchecks).toHaveLength(1);
  const content = healthchecks[0].getArgumentsContent() ?? '';
  return JSON.parse(content.replace(/^(--\S+\s+)*CMD\s+/, '')) as string[];
}

/** Runs it as the image would, with the API port in TESTLOOM_API_PORT. */
async function check(port: number): Promise<number> {
  const [command, ...args] = healthcheckCommand();
  expect(command).toBe('node');
  const outcome = await run(process.execPath, args, { env: { PATH: process.env.PATH ?? '', TESTLOOM_API_PORT: String(port) }, timeoutMs: 30_000 });
  return outcome.code;
}

describe('image health check (Dockerfile HEALTHCHECK)', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite', chromaUrl: 'off' });
  });
  afterAll(() => harness?.close());

  it('is healthy against the real API, whose GET /api/health answers 200', async () => {
    const port = Number(new URL(harness.api.url).port);
    const health = await fetch(`${harness.api.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await check(port)).toBe(0);
  });

  it('is unhealthy when /api/health answers 503 (a dependency is down)', async () => {
    const server = http.createServer((req, res) => {
      res.writeHead(req.url === '/api/health' ? 503 : 404, { 'content-type': 'application/json' }).end('{"status":"down"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      expect(await check((server.address() as net.AddressInfo).port)).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('is unhealthy when nothing listens on the API port', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    expect(await check(port)).toBe(1);
  });
});
