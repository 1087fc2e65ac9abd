/**
 * `temporal server start-dev` (CLI 1.x) has no TLS options, so tests put this in front of it: a
 * Node TLS server that demands a client certificate signed by `ca` (mTLS), offers HTTP/2 through
 * ALPN as gRPC requires, and forwards the decrypted bytes to the plaintext dev server. The handshake
 * the clients make is real TLS; only the server behind it is plain.
 */
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

export interface TlsProxy {
  address: string;
  /** Handshakes that failed, with the reason Node gave (e.g. a client certificate from another CA). */
  rejected: string[];
  close(): Promise<void>;
}

export async function startTlsProxy(options: { upstream: string; cert: string; key: string; ca: string }): Promise<TlsProxy> {
  const [host, port] = [options.upstream.slice(0, options.upstream.lastIndexOf(':')), Number(options.upstream.split(':').pop())];
  const sockets = new Set<net.Socket>();
  const rejected: string[] = [];
  const server = tls.createServer({
    cert: fs.readFileSync(options.cert),
    key: fs.readFileSync(options.key),
    ca: fs.readFileSync(options.ca),
    requestCert: true,
    rejectUnauthorized: true,
    ALPNProtocols: ['h2'],
  }, (client) => {
    const upstream = net.connect(port, host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  server.on('tlsClientError', (err) => rejected.push(err.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    rejected,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
