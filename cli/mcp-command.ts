import path from 'node:path';
import type { Command } from 'commander';
import type { EmbeddedStack } from '../infra/embedded-stack';
import { loadConfig, type Config } from '../lib/config';
import { configureLogging } from '../lib/observability/logger';
import { Cleanups, exitOnSignals } from '../lib/process/shutdown';
import { TestloomApi } from '../lib/net/testloom-api';
import type * as McpStdioModule from '../mcp/stdio';
import { ApiClient } from './http';

type StartStack = (config: Config, log: (line: string) => void, cleanups: Cleanups) => Promise<EmbeddedStack>;

/**
 * `testloom mcp`: the MCP server over stdio for a coding agent. It talks to the testloom API at
 * TESTLOOM_API_URL when one answers there, else starts the embedded stack as `run` does. Standard
 * output carries protocol messages only: the stack's lines go to standard error, its logs to a file.
 */
export function addMcpCommand(program: Command, startEmbeddedStack: StartStack): void {
  program
    .command('mcp')
    .description('Serve the MCP tools, resources and prompts over stdio for a coding agent (uses a running API, else starts the embedded stack)')
    .action(async () => {
      // The MCP SDK and its schemas (~0.25 s, ~30 MB) are loaded by this command only.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { reserveStdout, serveStdio } = require('../mcp/stdio') as typeof McpStdioModule;
      const protocolOut = reserveStdout();
      const log = (line: string) => process.stderr.write(`testloom mcp: ${line}\n`);
      const config = loadConfig();
      const logFile = path.join(config.dataDir, 'logs', 'testloom.log');
      configureLogging({ level: config.logLevel, destination: logFile });
      const cleanups = new Cleanups();
      const signals = exitOnSignals(cleanups, log);
      let baseUrl = config.api.url;
      if (!(await ApiClient.fromConfig(config).isUp())) {
        log(`no testloom API at ${config.api.url}; starting the embedded stack (logs: ${logFile})`);
        const stack = await signals.unlessStopping(startEmbeddedStack(config, log, cleanups));
        baseUrl = stack.apiUrl;
      }
      log(`serving MCP over stdio with the testloom API at ${baseUrl}`);
      try {
        await serveStdio(new TestloomApi(baseUrl, { apiKey: config.api.apiKey ?? config.api.apiKeys[0] }), process.stdin, protocolOut);
      } finally {
        await cleanups.run(log);
      }
      process.exit(0);
    });
}
