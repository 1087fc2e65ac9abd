/**
 * The MCP server over Streamable HTTP at /mcp of the real API (harness: real Temporal, worker,
 * PGlite, Chroma and embeddings), driven by the SDK's own Client: tools and their schemas, a full
 * generate → progress → completed → read files → execute → findings flow against a local API,
 * retrieval, prompts, API keys, argument errors.
 */
import Ajv from 'ajv';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { listArtifacts } from '../../lib/db/artifacts';
import { listen, type RunningServer } from '../../api/server';
import { startPetstoreServer, type PetstoreServer } from '../fixtures/petstore-server';
import { createHarness, PETSTORE, type Harness } from '../support/harness';
import { uniqueRepository } from '../support/retrieval';
import { callWithProgress, compileSchema, connectHttp, textOf, TOOL_NAMES } from './support';

const KEY = 'mcp-test-key-0123456789abcdef';

describe('MCP over Streamable HTTP at /mcp (PGlite, real Temporal, worker, Chroma)', () => {
  let harness: Harness;
  let client: Client;
  let petstore: PetstoreServer;
  let faulty: PetstoreServer;
  const repository = uniqueRepository('mcp');

  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite' });
    await harness.startWorker();
    [petstore, faulty] = await Promise.all([startPetstoreServer(), startPetstoreServer({ validateBodies: false })]);
    client = await connectHttp(`${harness.api.url}/mcp`);
  });
  afterAll(async () => {
    await client?.close();
    await petstore?.close();
    await faulty?.close();
    await harness?.close();
  });

  it('lists every tool with input and output JSON Schemas that compile, and annotations', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOL_NAMES);
    for (const tool of tools) {
      expect(tool.description).toBeTruthy();
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(compileSchema(tool.inputSchema)).toBeInstanceOf(Function);
      expect(compileSchema(tool.outputSchema!)).toBeInstanceOf(Function);
    }
    const hints = Object.fromEntries(tools.map((t) => [t.name, [t.annotations?.readOnlyHint, t.annotations?.destructiveHint, t.annotations?.idempotentHint]]));
    expect(hints).toEqual({
      generate_tests: [false, false, true], get_run: [true, undefined, true], list_runs: [true, undefined, true], cancel_run: [false, true, true],
      execute_run: [false, true, false], get_findings: [true, undefined, true], search_similar_tests: [true, undefined, true],
    });
    const generate = tools.find((t) => t.name === 'generate_tests')!;
    const validate = compileSchema(generate.inputSchema);
    expect(validate({ spec: { path: PETSTORE }, target: { baseUrl: petstore.baseUrl }, wait: false })).toBe(true);
    expect(validate({ spec: { path: PETSTORE }, framework: 'cobol' })).toBe(false);
    expect((await client.listPrompts()).prompts.map((p) => p.name).sort()).toEqual(['explain_finding', 'review_generated_tests']);
    expect((await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual([
      'testloom://runs/{runId}', 'testloom://runs/{runId}/test-cases', 'testloom://runs/{runId}/files/{+path}',
    ]);
  });

  it('generates with progress to completion, serves the files as resources, executes against a faulty API and explains its findings', async () => {
    const { result, progress } = await callWithProgress(client, 'generate_tests', {
      spec: { path: PETSTORE }, repository, target: { baseUrl: petstore.baseUrl, allowedMethods: ['POST', 'DELETE'] }, waitSeconds: 240,
    }, 250_000);
    expect(result.isError).toBeFalsy();
    const generated = result.structuredContent as any;
    expect(generated).toMatchObject({ existing: false, finished: true, run: { status: 'completed', repository } });
    const runId: string = generated.runId;
    // Progress grew with the stages, ending at all of them.
    expect(progress.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < progress.length; i++) expect(progress[i].progress).toBeGreaterThan(progress[i - 1].progress);
    // Stages are sampled by polling: a fast one can pass between two polls, so no particular stage is required.
    const stageReports = progress.slice(1, -1).map((p) => p.message);
    expect(stageReports.length).toBeGreaterThan(0);
    for (const message of stageReports) expect(message).toMatch(/^(receive|retrieve|generate|execute|commit|createPr|finalize): (running|succeeded)$/);
    expect(progress.at(-1)).toMatchObject({ progress: 7, total: 7, message: 'run completed' });
    // The pipeline's own execution against the correct API: every test passed.
    expect(generated.run.execution).toMatchObject({ status: 'executed', baseUrl: petstore.baseUrl, apiDefects: 0 });
    expect(generated.run.execution.passed).toBe(generated.run.execution.tests);

    // Resources: the run, its test-case document, each file exactly as stored.
    const summary = await client.readResource({ uri: `testloom://runs/${runId}` });
    expect(JSON.parse((summary.contents[0] as { text: string }).text)).toMatchObject({ id: runId, status: 'completed' });
    const doc = await client.readResource({ uri: generated.run.testCaseDocument });
    expect(doc.contents[0]).toMatchObject({ mimeType: 'text/markdown', text: expect.stringContaining('listPets') });
    const artifacts = await listArtifacts(harness.database.db, runId);
    expect(generated.run.files.map((f: { path: string }) => f.path)).toEqual(artifacts.map((a) => a.path));
    const listed = (await client.listResources()).resources.map((r) => r.uri);
    for (const file of generated.run.files) {
      expect(listed).toContain(file.uri);
      const read = await client.readResource({ uri: file.uri });
      // As the commit delivers it: the execute stage adds its report to the test-case document.
      const stored = artifacts.find((a) => a.path === file.path)!;
      expect((read.contents[0] as { text: string }).text).toBe(stored.deliveredContent ?? stored.content);
    }
    expect(artifacts.find((a) => a.path.endsWith('test-cases.md'))!.deliveredContent).toContain(`### Execution against ${petstore.baseUrl}`);
    await expect(client.readResource({ uri: `testloom://runs/${runId}/files/no/such.ts` })).rejects.toThrow(`file no/such.ts of run ${runId} not found`);

    // Execute again against an API that stores invalid pets: the findings come with reproducers.
    const executed = await callWithProgress(client, 'execute_run', {
      runId, target: { baseUrl: faulty.baseUrl, allowedMethods: ['POST', 'DELETE'] }, waitSeconds: 170,
    }, 180_000);
    expect(executed.result.isError).toBeFalsy();
    const execution = executed.result.structuredContent as any;
    expect(execution).toMatchObject({ runId, existing: false, finished: true, status: 'completed', counts: { baseUrl: faulty.baseUrl } });
    expect(execution.counts.apiDefects).toBeGreaterThan(0);
    expect(executed.progress.length).toBeGreaterThan(0);

    const findings = await client.callTool({ name: 'get_findings', arguments: { runId } });
    const found = findings.structuredContent as any;
    expect(found).toMatchObject({ runId, executionId: execution.executionId, status: 'completed', baseUrl: faulty.baseUrl });
    const defects = found.findings.filter((f: { classification: string }) => f.classification === 'possible-api-defect');
    expect(defects.length).toBeGreaterThanOrEqual(execution.counts.apiDefects);
    for (const defect of defects) {
      expect(defect).toMatchObject({ operationId: 'createPet', reproducer: expect.stringMatching(new RegExp(`^curl -sS -i -X POST '${faulty.baseUrl}/pets'`)) });
      expect(defect.reasons[0]).toMatch(/^POST \/pets answered 201/); // stored although the body is invalid
    }

    const explained = await client.getPrompt({ name: 'explain_finding', arguments: { runId } });
    const explanation = (explained.messages[0].content as { text: string }).text;
    expect(explanation).toContain(defects[0].reproducer);
    expect(explanation).toContain(`testloom://runs/${runId}/files/`);
    const review = await client.getPrompt({ name: 'review_generated_tests', arguments: { runId } });
    const embedded = review.messages.filter((m) => m.content.type === 'resource').map((m) => (m.content as { resource: { uri: string } }).resource.uri);
    expect(embedded[0]).toBe(generated.run.testCaseDocument);
    expect(embedded.length).toBe(1 + artifacts.filter((a) => a.kind === 'test').length);

    // Retrieval: finalize indexed the run's cases; the tool finds them.
    const similar = await client.callTool({ name: 'search_similar_tests', arguments: { query: 'create a pet without a name is rejected', repository, limit: 3 } });
    const tests = (similar.structuredContent as any).tests;
    expect(tests).toHaveLength(3);
    expect(tests[0]).toMatchObject({ runId, origin: 'spec', score: expect.any(Number) });
    expect(tests.map((t: { title: string }) => t.title).join('\n')).toMatch(/createPet|pet/i);

    const runs = await client.callTool({ name: 'list_runs', arguments: { repository } });
    expect((runs.structuredContent as any).runs).toEqual([expect.objectContaining({ id: runId, uri: `testloom://runs/${runId}` })]);
  });

  it('turns bad arguments and API refusals into tool errors naming the field', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['get_run', { runId: 5 }, /runId/],
      ['generate_tests', { spec: { url: 'ftp://example.com/spec.yaml' } }, /must be an absolute http or https URL at spec\.url/],
      ['generate_tests', { spec: { path: PETSTORE, url: 'https://example.com/x.yaml' } }, /exactly one of content, url or path at spec/],
      ['generate_tests', { wait: false }, /^spec: give exactly one of spec and issue$/],
      ['generate_tests', { issue: 'o/r#1', framework: 'jest' }, /^framework: is for spec runs/],
      ['list_runs', { limit: 500 }, /limit/],
      // The API's own refusals, with its message.
      ['generate_tests', { spec: { content: 'not a spec' }, wait: false }, /^testloom API 400 invalid_spec: .*spec\.content/],
      ['generate_tests', { spec: { path: PETSTORE }, target: { baseUrl: 'http://10.1.2.3:8080/v1' }, wait: false }, /target\.baseUrl.*10\.1\.2\.3/],
      ['get_run', { runId: 'no-such-run' }, /^testloom API 404 not_found: run no-such-run not found$/],
      ['get_findings', { runId: 'no-such-run', executionId: 'x' }, /404 not_found/],
    ];
    for (const [name, args, message] of cases) {
      const result = await client.callTool({ name, arguments: args });
      expect({ name, isError: result.isError }).toEqual({ name, isError: true });
      expect(textOf(result)).toMatch(message);
    }
  });

  describe('with API keys', () => {
    let keyed: RunningServer;
    beforeAll(async () => {
      keyed = await listen({
        db: harness.database.db, client: harness.client, repoHost: harness.repoHost,
        config: { ...harness.config, api: { ...harness.config.api, apiKeys: [KEY] } },
      }, '127.0.0.1', 0);
    });
    afterAll(() => keyed?.close());

    it('refuses a missing or wrong key with 401, serves the right one (its own calls to the API pass the key on)', async () => {
      const raw = await fetch(`${keyed.url}/mcp`, {
        method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(raw.status).toBe(401);
      expect(raw.headers.get('www-authenticate')).toBe('Bearer realm="testloom"');
      expect(await raw.json()).toMatchObject({ error: { code: 'unauthorized' } });
      await expect(connectHttp(`${keyed.url}/mcp`)).rejects.toThrow(/401|API key is required/);
      await expect(connectHttp(`${keyed.url}/mcp`, `${KEY}-wrong`)).rejects.toThrow(/401|API key is not valid/);

      const authorized = await connectHttp(`${keyed.url}/mcp`, KEY);
      try {
        const runs = await authorized.callTool({ name: 'list_runs', arguments: { limit: 1 } });
        // Its call to /api/v1 passed the key check (a 401 there would be a tool error).
        expect(runs.isError).toBeFalsy();
        expect(runs.structuredContent).toMatchObject({ runs: expect.any(Array) });
      } finally {
        await authorized.close();
      }
    });

    it('counts /mcp and /api/v1 in one rate-limit budget per client address and key', async () => {
      const limited = await listen({
        db: harness.database.db, client: harness.client, repoHost: harness.repoHost,
        config: { ...harness.config, api: { ...harness.config.api, apiKeys: [KEY], rateLimitPerMinute: 3 } },
      }, '127.0.0.1', 0);
      try {
        const list = () => fetch(`${limited.url}/mcp`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
        });
        for (let i = 0; i < 3; i++) expect((await list()).status).toBe(200);
        const over = await list();
        expect(over.status).toBe(429);
        expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(await over.json()).toMatchObject({ error: { code: 'rate_limited' } });
        const api = await fetch(`${limited.url}/api/v1/runs`, { headers: { authorization: `Bearer ${KEY}` } });
        expect(api.status).toBe(429);
      } finally {
        await limited.close();
      }
    });

    it('answers GET /mcp with 405 (a stateless server opens no stream)', async () => {
      const answer = await fetch(`${keyed.url}/mcp`, { headers: { authorization: `Bearer ${KEY}`, accept: 'text/event-stream' } });
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('POST');
    });
  });

  it('has schemas ajv can use to check the tools\' own answers', async () => {
    const { tools } = await client.listTools();
    const getRun = tools.find((t) => t.name === 'get_run')!;
    const runs = (await client.callTool({ name: 'list_runs', arguments: { repository } })).structuredContent as any;
    const run = await client.callTool({ name: 'get_run', arguments: { runId: runs.runs[0].id } });
    const validate = compileSchema(getRun.outputSchema!);
    expect(validate(run.structuredContent)).toBe(true);
    expect(new Ajv().validateSchema(getRun.inputSchema)).toBe(true);
  });
});
