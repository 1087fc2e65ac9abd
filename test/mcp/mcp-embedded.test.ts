/**
 * `testloom mcp` with no API answering at TESTLOOM_API_URL: it starts the embedded stack (its own
 * Temporal dev server, worker and API, retrieval off) as `testloom run` does, with the stack's lines
 * on stderr and its logs in a file, serves a generate call over stdio, and stops the stack when the
 * client closes its standard input.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { freePorts } from '../../lib/net/free-port';
import { seedPglite, seedWorkflowBundle } from '../support/databases';
import { callWithProgress } from './support';

const ROOT = path.resolve(__dirname, '../..');
const SPEC = 'openapi: 3.0.3\ninfo: {title: Ping API, version: "1"}\npaths:\n  /ping:\n    get:\n      operationId: ping\n      responses:\n        "204": {description: pong}\n';

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('testloom mcp starting the embedded stack', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-mcp-'));
    seedPglite(dataDir); // the migrated database and the workflow bundle, as on a second start
    seedWorkflowBundle(dataDir);
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('starts the stack, serves a run over stdio with nothing but protocol on stdout, and stops it all when stdin closes', async () => {
    const [temporal, ui, api] = await freePorts(3);
    const apiUrl = `http://127.0.0.1:${api}`;
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(DATABASE_URL|CHROMA_URL|GITHUB_|OTEL_|TESTLOOM_TEST_)/.test(name)));
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [path.join(ROOT, 'bin/testloom'), 'mcp'],
      cwd: ROOT,
      stderr: 'pipe',
      env: {
        ...inherited as Record<string, string>,
        TESTLOOM_DATA_DIR: dataDir,
        TEMPORAL_ADDRESS: `127.0.0.1:${temporal}`,
        TEMPORAL_UI_PORT: String(ui),
        TESTLOOM_API_HOST: '127.0.0.1',
        TESTLOOM_API_PORT: String(api),
        TESTLOOM_API_URL: apiUrl,
        TESTLOOM_RETRIEVAL: 'off',
        TESTLOOM_MODELS_OFFLINE: '1',
        TESTLOOM_LLM_PROVIDERS: 'none',
        TESTLOOM_REPO_HOST: 'local',
        TESTLOOM_LOG_LEVEL: 'info',
      },
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: 'testloom-test', version: '1.0.0' });
    const protocolErrors: Error[] = [];
    client.onerror = (err) => protocolErrors.push(err);
    try {
      await client.connect(transport, { timeout: 120_000 });
      expect(stderr).toContain(`no testloom API at ${apiUrl}; starting the embedded stack (logs: ${path.join(dataDir, 'logs', 'testloom.log')})`);
      expect(stderr).toContain(`serving MCP over stdio with the testloom API at ${apiUrl}`);

      const { result, progress } = await callWithProgress(client, 'generate_tests', { spec: { content: SPEC }, repository: 'mcp/embedded', waitSeconds: 150 }, 160_000);
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ existing: false, finished: true, run: { status: 'completed', repository: 'mcp/embedded' } });
      expect(progress.at(-1)).toMatchObject({ progress: 7, total: 7 });
      // The stack's JSON logs went to the file (the API's request log among them), none to stdout.
      expect(fs.readFileSync(path.join(dataDir, 'logs', 'testloom.log'), 'utf8')).toMatch(/"msg":"POST [^"]*runs 202 in \d+ ms"/);
      expect(protocolErrors).toEqual([]);
    } finally {
      const pid = transport.pid;
      await client.close();
      // Closing stdin stops the stack (worker, API, the dev server it started) and the process.
      const deadline = Date.now() + 20_000;
      for (; pid && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
      }
      expect(Date.now()).toBeLessThan(deadline);
    }
    expect(await answers(apiUrl)).toBe(false);
    expect(await listening(temporal)).toBe(false); // the dev server it started
  });
});
