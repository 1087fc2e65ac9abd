import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopback } from '../lib/config';
import { createApp, type AppDeps } from './app';
import { startupNotices } from './security';

export interface RunningServer {
  url: string;
  /** Said once at start-up by whoever started the server (e.g. that no API key is required). */
  notices: string[];
  close(): Promise<void>;
}

export function listen(deps: AppDeps, host: string, port: number): Promise<RunningServer> {
  if (deps.config.api.apiKeys.length === 0 && !isLoopback(host)) {
    return Promise.reject(new Error(`refusing to serve the API on ${host} without API keys: set TESTLOOM_API_KEYS or listen on 127.0.0.1`));
  }
  const app = createApp(deps);
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(port, host);
    server.once('error', reject);
    server.once('listening', () => {
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
        notices: startupNotices(deps.config, host),
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
