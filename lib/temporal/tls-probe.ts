/**
 * Why a TLS connection to Temporal fails, in the words of the handshake: gRPC's own errors say only
 * "Failed to connect before the deadline". Used after a connection failed, to explain it.
 */
import tls from 'node:tls';
import type { TLSConfig } from '@temporalio/client';

/** The handshake's error (e.g. "unable to verify the first certificate", "tlsv1 alert unknown ca"), or undefined when it succeeds. */
export function tlsHandshakeProblem(options: { address: string; tls?: TLSConfig }, timeoutMs = 3_000): Promise<string | undefined> {
  const { address, tls: settings } = options;
  const host = address.slice(0, address.lastIndexOf(':'));
  return new Promise((resolve) => {
    let settled = false;
    const finish = (problem: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(problem);
    };
    const socket = tls.connect({
      host,
      port: Number(address.split(':').pop()),
      servername: settings?.serverNameOverride ?? (/^[\d.]+$|:/.test(host) ? undefined : host),
      ALPNProtocols: ['h2'],
      ...(settings?.serverRootCACertificate ? { ca: Buffer.from(settings.serverRootCACertificate) } : {}),
      ...(settings?.clientCertPair ? { cert: Buffer.from(settings.clientCertPair.crt), key: Buffer.from(settings.clientCertPair.key) } : {}),
      ...(settings?.serverNameOverride ? { checkServerIdentity: (_host, cert) => tls.checkServerIdentity(settings.serverNameOverride!, cert) } : {}),
    });
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.once('error', (err: NodeJS.ErrnoException) => finish(`TLS handshake failed: ${err.message}${err.code ? ` (${err.code})` : ''}`));
    // With TLS 1.3 the server checks the client certificate after the client's side is done: its
    // refusal arrives as an alert (an error above) or a closed connection shortly after.
    socket.once('secureConnect', () => {
      setTimeout(() => finish(undefined), 500);
      socket.once('close', () => finish('the server closed the connection right after the TLS handshake: it did not accept the client certificate (TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY)'));
    });
  });
}
