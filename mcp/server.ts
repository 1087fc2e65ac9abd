/**
 * testloom's MCP server: tools to generate tests, follow, list, cancel and execute runs, read
 * findings and search similar tests; resources for runs, test-case documents and generated files;
 * prompts to review tests and explain a finding. Everything goes through testloom's HTTP API.
 */
import fs from 'node:fs';
import path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { PROJECT_ROOT } from '../lib/config';
import type { TestloomApi } from '../lib/net/testloom-api';
import { registerPrompts } from './prompts';
import { registerResources } from './resources';
import { registerExecutionTools } from './tools/execution';
import { registerRunTools } from './tools/runs';
import { registerSearchTools } from './tools/search';

const VERSION = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const INSTRUCTIONS = [
  'testloom turns OpenAPI specs and issues into reviewed, executable API tests through durable runs.',
  'generate_tests starts (or finds) a run and follows it; get_run and the testloom://runs/{id} resources show what it generated;',
  'execute_run runs a finished run\'s suite against an API again and get_findings reads what it found, with curl reproducers.',
  'search_similar_tests finds existing tests like a text. Load tests are not offered yet.',
].join(' ');

export function createMcpServer(api: TestloomApi): McpServer {
  const server = new McpServer({ name: 'testloom', title: 'testloom', version: VERSION }, { instructions: INSTRUCTIONS });
  registerRunTools(server, api);
  registerExecutionTools(server, api);
  registerSearchTools(server, api);
  registerResources(server, api);
  registerPrompts(server, api);
  return server;
}
