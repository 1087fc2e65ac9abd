/**
 * MCP over Streamable HTTP, mounted at /mcp on testloom's HTTP server (behind the same API keys and
 * rate limits as /api/v1). Stateless: each POST gets a fresh server and transport, so any API
 * process can answer any request; a tool call that waits streams its progress as server-sent events
 * on the response to that POST. The server's calls go to /api/v1 of this same server, through the
 * socket the request came in on, with the caller's own Authorization header.
 * The MCP SDK and testloom's tools are loaded on the first request to /mcp, not when the API
 * starts: they cost about half a second of start-up and 20 MB of heap that a process whose
 * clients never speak MCP would carry for nothing.
 */
import type { Request } from 'express';
import { Router } from 'express';
import { TestloomApi } from '../lib/net/testloom-api';
import type * as StreamableHttp from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type * as McpServer from './server';

interface McpParts {
  createMcpServer: typeof McpServer.createMcpServer;
  StreamableHTTPServerTransport: typeof StreamableHttp.StreamableHTTPServerTransport;
}
let parts: McpParts | undefined;

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, see above */
const mcpParts = (): McpParts => (parts ??= {
  createMcpServer: (require('./server') as typeof McpServer).createMcpServer,
  StreamableHTTPServerTransport: (require('@modelcontextprotocol/sdk/server/streamableHttp.js') as typeof StreamableHttp).StreamableHTTPServerTransport,
});
/* eslint-enable @typescript-eslint/no-require-imports */

export interface McpRouterOptions {
  /** Headers for the server's own calls to /api/v1 besides the caller's key (the relay header). */
  relayHeaders?: Record<string, string>;
}

/** This server, as reached through the socket the request arrived on. */
function ownUrl(req: Request): string {
  const address = req.socket.localAddress ?? '127.0.0.1';
  return `http://${address.includes(':') ? `[${address}]` : address}:${req.socket.localPort}`;
}

const jsonRpcError = (message: string) => ({ jsonrpc: '2.0', error: { code: -32000, message }, id: null });

export function mcpRouter(options: McpRouterOptions = {}): Router {
  const router = Router();
  router.post('/', async (req, res, next) => {
    const authorization = req.get('authorization');
    const api = new TestloomApi(ownUrl(req), { headers: { ...options.relayHeaders, ...(authorization ? { authorization } : {}) } });
    const { createMcpServer, StreamableHTTPServerTransport } = mcpParts();
    const server = createMcpServer(api);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (err) {
      next(err);
    }
  });
  // Stateless: no stream to open with GET, no session to end with DELETE.
  router.all('/', (req, res) => {
    res.set('Allow', 'POST').status(405).json(jsonRpcError(`${req.method} is not allowed on /mcp: this server is stateless, send JSON-RPC messages with POST`));
  });
  return router;
}
