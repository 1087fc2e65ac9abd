/**
 * MCP over stdio (`testloom mcp`): standard output carries protocol messages only, so nothing else
 * may write there — the caller sends its logs to standard error or a file.
 */
import { Writable, type Readable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { TestloomApi } from '../lib/net/testloom-api';
import { createMcpServer } from './server';

/** Serves until the client closes standard input (or the transport closes); resolves then. */
export async function serveStdio(api: TestloomApi, input: Readable = process.stdin, output: Writable = process.stdout): Promise<void> {
  const server = createMcpServer(api);
  const transport = new StdioServerTransport(input, output);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    input.once('end', () => resolve());
    input.once('close', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
}

/**
 * Standard output for the protocol alone: from now on whatever else writes to `process.stdout` (a
 * stray console.log of a dependency) goes to standard error; the stream returned writes to the real
 * standard output, for the transport.
 */
export function reserveStdout(): Writable {
  const stdout = process.stdout;
  const write = stdout.write.bind(stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr);
  return new Writable({ write: (chunk: Buffer, encoding, callback) => void write(chunk, encoding, callback) });
}
