import { STATUS_CODES, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isLoopback } from '../lib/config';
import { WebhookInbox } from '../lib/webhooks/inbox';
import { createApp } from './app';
import type { AppDeps } from './deps';
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
  // The receiver's deliveries are handled in the process that took them (and any other on the database).
  const { webhookSecret, webhookRetentionDays } = deps.config.github;
  const inbox = webhookSecret ? new WebhookInbox(deps, { retentionMs: webhookRetentionDays * 86_400_000 }) : undefined;
  const app = createApp({ ...deps, webhookInbox: inbox });
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(port, host);
    server.on('clientError', answerClientError);
    server.once('error', reject);
    server.once('listening', () => {
      inbox?.start();
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
        notices: startupNotices(deps.config, host),
        close: async () => {
          await new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          await inbox?.stop();
        },
      });
    });
  });
}

/**
 * A request Node's HTTP parser refuses before Express sees it (headers over 16 KiB, a malformed
 * request line) still gets the error envelope, instead of Node's bare status line.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) return void socket.destroy();
  const [status, code, message] = err.code === 'HPE_HEADER_OVERFLOW'
    ? [431, 'headers_too_large', 'the request line and headers are larger than the server accepts (16 KiB)']
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request_timeout', 'the request did not arrive in time']
      : [400, 'invalid_request', 'the request is not valid HTTP/1.1'];
  const body = JSON.stringify({ error: { code, message, details: [] } });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
