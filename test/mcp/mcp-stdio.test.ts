/**
 * `testloom mcp` spawned as a coding agent would (the SDK's StdioClientTransport), talking to a
 * running API (the harness's: real Temporal, worker, PGlite): nothing but protocol on stdout, a run
 * generated with progress and its files read, a run cancelled through the tool, argument errors.
 */
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Activities } from '../../activities';
import { listArtifacts } from '../../lib/db/artifacts';
import { createHarness, PETSTORE, type Harness } from '../support/harness';
import { uniqueRepository } from '../support/retrieval';
import { callWithProgress, textOf, TOOL_NAMES } from './support';

const ROOT = path.resolve(__dirname, '../..');
const SPEC = [
  'openapi: 3.0.3',
  'info: {title: Status API, version: "1"}',
  'paths:',
  '  /status:',
  '    get:',
  '      operationId: getStatus',
  '      responses:',
  '        "200": {description: ok, content: {application/json: {schema: {type: object, properties: {ok: {type: boolean}}}}}}',
  '',
].join('\n');

describe('testloom mcp over stdio against a running API (PGlite, real Temporal, worker)', () => {
  let harness: Harness;
  let client: Client;
  let transport: StdioClientTransport;
  const stderr: string[] = [];
  const protocolErrors: Error[] = [];
  let holdGenerate = false;
  let generateReached = () => undefined as void;

  /** The generate stage, held (heartbeating) while a test wants a run that stays running. */
  function holdable(generate: Activities['generate']): Activities['generate'] {
    return async (...args) => {
      if (!holdGenerate) return generate(...args);
      generateReached();
      for (;;) {
        Context.current().heartbeat();
        await Context.current().sleep(100); // rejects once the workflow cancels this activity
      }
    };
  }

  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite', chromaUrl: 'off' });
    await harness.startWorker((activities) => ({ ...activities, generate: holdable(activities.generate) }));
    transport = new StdioClientTransport({
      command: process.execPath,
      args: ['bin/testloom', 'mcp'],
      cwd: ROOT,
      env: { ...process.env, ...harness.env, TESTLOOM_API_URL: harness.api.url },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    client = new Client({ name: 'testloom-test', version: '1.0.0' });
    client.onerror = (err) => protocolErrors.push(err);
    await client.connect(transport);
  });
  afterAll(async () => {
    await client?.close();
    await harness?.close();
  });

  it('speaks only protocol on stdout, says on stderr which API it uses, and lists the tools', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOL_NAMES);
    expect(client.getServerVersion()).toMatchObject({ name: 'testloom' });
    expect(stderr.join('')).toContain(`serving MCP over stdio with the testloom API at ${harness.api.url}`);
    expect(protocolErrors).toEqual([]);
  });

  it('generates with progress until completed and reads the generated files', async () => {
    const repository = uniqueRepository('mcp-stdio');
    const { result, progress } = await callWithProgress(client, 'generate_tests', { spec: { content: SPEC }, repository, waitSeconds: 170 }, 180_000);
    expect(result.isError).toBeFalsy();
    const generated = result.structuredContent as any;
    expect(generated).toMatchObject({ finished: true, run: { status: 'completed', repository, execution: null } });
    expect(progress.at(-1)).toMatchObject({ progress: 7, total: 7, message: 'run completed' });
    const artifacts = await listArtifacts(harness.database.db, generated.runId);
    expect(artifacts.length).toBeGreaterThan(1);
    for (const file of generated.run.files) {
      const read = await client.readResource({ uri: file.uri });
      expect((read.contents[0] as { text: string }).text).toBe(artifacts.find((a) => a.path === file.path)!.content);
    }
    const doc = await client.readResource({ uri: `testloom://runs/${generated.runId}/test-cases` });
    expect((doc.contents[0] as { text: string }).text).toContain('getStatus');

    // Again: the same spec for the same repository finds the run.
    const again = await client.callTool({ name: 'generate_tests', arguments: { spec: { content: SPEC }, repository, wait: false } });
    expect(again.structuredContent).toMatchObject({ runId: generated.runId, existing: true, finished: true });
    expect(protocolErrors).toEqual([]);
  });

  it('reports the end before answering, even to a client that reads each report together with the next message', async () => {
    // The SDK's client handles a notification a microtask after reading it and a response at once:
    // a last report read in one chunk with the result would be lost. A busy client reads that way;
    // here every report is held back until the next message arrives, then both are delivered at once.
    const deliver = transport.onmessage!;
    const held: JSONRPCMessage[] = [];
    transport.onmessage = (message) => {
      held.push(message);
      if (!('method' in message && message.method === 'notifications/progress')) held.splice(0).forEach((m) => deliver(m));
    };
    try {
      const { result, progress } = await callWithProgress(client, 'generate_tests', { spec: { content: SPEC }, repository: uniqueRepository('mcp-busy'), waitSeconds: 170 }, 180_000);
      expect(result.structuredContent).toMatchObject({ finished: true, run: { status: 'completed' } });
      expect(progress.at(-1)).toMatchObject({ progress: 7, total: 7, message: 'run completed' });
      expect(protocolErrors).toEqual([]);
    } finally {
      transport.onmessage = deliver;
      held.splice(0).forEach((m) => deliver(m));
    }
  });

  it('cancels a running run through the tool; a second cancel is the API\'s refusal', async () => {
    holdGenerate = true;
    const reached = new Promise<void>((resolve) => (generateReached = resolve));
    try {
      const started = await client.callTool({ name: 'generate_tests', arguments: { spec: { path: PETSTORE }, repository: uniqueRepository('mcp-cancel'), wait: false } });
      const runId = (started.structuredContent as any).runId as string;
      expect(started.structuredContent).toMatchObject({ finished: false, message: expect.stringContaining(`call get_run with runId ${runId}`) });
      await reached;
      const cancelled = await client.callTool({ name: 'cancel_run', arguments: { runId, reason: 'agent changed its mind' } });
      expect(cancelled.structuredContent).toEqual({ id: runId, workflowId: expect.any(String), status: 'cancelling' });

      let run: any;
      for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
        run = (await client.callTool({ name: 'get_run', arguments: { runId } })).structuredContent;
        if (run.status !== 'running' && run.status !== 'queued') break;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      expect(run).toMatchObject({ id: runId, status: 'cancelled', stage: 'generate', files: [] });
      const again = await client.callTool({ name: 'cancel_run', arguments: { runId } }) as CallToolResult;
      expect(again.isError).toBe(true);
      expect(textOf(again)).toMatch(/^testloom API 409 run_finished: run .+ already ended as cancelled$/);
    } finally {
      holdGenerate = false;
    }
  });

  it('answers bad arguments with a tool error naming the field', async () => {
    const missing = await client.callTool({ name: 'execute_run', arguments: {} });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/runId/);
    const unknown = await client.callTool({ name: 'execute_run', arguments: { runId: 'no-such-run', target: { baseUrl: 'http://127.0.0.1:1/v1' }, wait: false } });
    expect(textOf(unknown)).toBe('testloom API 404 not_found: run no-such-run not found');
    const retrieval = await client.callTool({ name: 'search_similar_tests', arguments: { query: 'list pets' } });
    expect(retrieval.isError).toBe(true);
    expect(textOf(retrieval)).toMatch(/^testloom API 503 retrieval_unavailable: retrieval is switched off/);
    expect(protocolErrors).toEqual([]);
  });

  it('exits when the client closes its standard input', async () => {
    const pid = transport.pid!;
    await client.close();
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`testloom mcp (pid ${pid}) still runs 10 s after its standard input closed`);
  });
});
