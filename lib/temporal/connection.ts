/**
 * Every connection a testloom process opens to Temporal (the API's client, the workers, the CLI's
 * tools) is built here from the validated config: the address, TLS with the server's CA and a
 * client certificate (mTLS) and an API key, as a self-hosted cluster or Temporal Cloud requires.
 */
import fs from 'node:fs';
import { Connection, type ConnectionOptions, type TLSConfig } from '@temporalio/client';
import type * as TemporalWorker from '@temporalio/worker';
import type { Config } from '../config';
import { tlsHandshakeProblem } from './tls-probe';

type TemporalConfig = Pick<Config['temporal'], 'address' | 'connection'>;

/** What the client's `Connection` and the worker's `NativeConnection` both take. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

export function temporalConnectionOptions(temporal: TemporalConfig): TemporalConnectionOptions {
  const { tls, apiKey } = temporal.connection;
  const read = (file: string) => fs.readFileSync(file);
  return {
    address: temporal.address,
    ...(tls ? {
      tls: {
        ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
        ...(tls.caPath ? { serverRootCACertificate: read(tls.caPath) } : {}),
        ...(tls.clientCertPath && tls.clientKeyPath ? { clientCertPair: { crt: read(tls.clientCertPath), key: read(tls.clientKeyPath) } } : {}),
      },
    } : {}),
    ...(apiKey ? { apiKey } : {}),
  };
}

/** What went wrong, and which settings to look at, when Temporal cannot be reached. */
async function explain(temporal: TemporalConfig, err: unknown): Promise<Error> {
  const tls = temporal.connection.tls;
  const handshake = tls ? await tlsHandshakeProblem(temporalConnectionOptions(temporal)) : undefined;
  const message = [handshake, err instanceof Error ? err.message : String(err)].filter(Boolean).join('; ');
  const hint = tls
    ? 'check TEMPORAL_TLS_CA (the CA that signed the server\'s certificate), TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY (a client certificate the server trusts) and TEMPORAL_TLS_SERVER_NAME'
    : 'is a Temporal server listening there (TEMPORAL_ADDRESS)? If it expects TLS, set TEMPORAL_TLS=true (with TEMPORAL_TLS_CA, TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY for mTLS) or TEMPORAL_API_KEY';
  return new Error(`cannot connect to Temporal at ${temporal.address} over ${tls ? 'TLS' : 'plaintext'}: ${message} (${hint})`, { cause: err });
}

/** A client connection (the API, the CLI); checked with a cheap call, so a TLS mismatch fails here, clearly. */
export async function connectTemporal(temporal: TemporalConfig, extra: Pick<ConnectionOptions, 'connectTimeout'> = {}): Promise<Connection> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ ...temporalConnectionOptions(temporal), ...extra });
    await connection.workflowService.getSystemInfo({});
    return connection;
  } catch (err) {
    await connection?.close().catch(() => undefined);
    throw await explain(temporal, err);
  }
}

/**
 * A worker connection. The worker package (its native bridge, rxjs) is loaded here, on first use:
 * an API or CLI process, which only needs a client connection, never pays for it.
 */
export async function connectNativeTemporal(temporal: TemporalConfig): Promise<TemporalWorker.NativeConnection> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  const { NativeConnection } = require('@temporalio/worker') as typeof TemporalWorker;
  try {
    return await NativeConnection.connect(temporalConnectionOptions(temporal));
  } catch (err) {
    throw await explain(temporal, err);
  }
}
