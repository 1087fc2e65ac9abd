/** MCP clients (the SDK's own) for the tests, and what they check on every answer. */
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';

export const TOOL_NAMES = ['cancel_run', 'execute_run', 'generate_tests', 'get_findings', 'get_run', 'list_runs', 'search_similar_tests'];

export async function connectHttp(url: string, key?: string): Promise<Client> {
  const client = new Client({ name: 'testloom-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), key ? { requestInit: { headers: { authorization: `Bearer ${key}` } } } : undefined);
  await client.connect(transport);
  return client;
}

export function textOf(result: unknown): string {
  return (result as CallToolResult).content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** A JSON Schema as a tool publishes it must compile, in the dialect it names (draft-07 unless 2020-12). */
export function compileSchema(schema: Record<string, unknown>) {
  const ajv = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12') ? new Ajv2020({ strict: false }) : new Ajv({ strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** Calls a tool with a progress token and collects what the server reports. */
export async function callWithProgress(client: Client, name: string, args: Record<string, unknown>, timeoutMs: number) {
  const progress: Progress[] = [];
  const result = await client.callTool({ name, arguments: args }, undefined, {
    onprogress: (p) => progress.push(p),
    timeout: 60_000,
    resetTimeoutOnProgress: true,
    maxTotalTimeout: timeoutMs,
  }) as CallToolResult;
  return { result, progress };
}
