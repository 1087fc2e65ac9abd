import fs from 'node:fs';
import path from 'node:path';
import type { EnvValues } from './env';
import { ConfigError } from './errors';

/** How processes reach a Temporal server beyond the local dev server: TLS, mTLS, an API key (Temporal Cloud). */
export interface TemporalConnectionSettings {
  /** Absent: plaintext (the dev server). Present: TLS, with these files when given (absolute paths). */
  tls?: { clientCertPath?: string; clientKeyPath?: string; caPath?: string; serverName?: string };
  /** TEMPORAL_API_KEY: sent as a bearer token; TLS is on whenever it is set. */
  apiKey?: string;
}

function readableFile(name: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const resolved = path.resolve(file);
  try {
    fs.accessSync(resolved, fs.constants.R_OK);
  } catch {
    throw new ConfigError(`${name}=${file}: no readable file there (a PEM file is expected)`);
  }
  return resolved;
}

/** Validates TEMPORAL_TLS* and TEMPORAL_API_KEY together; throws ConfigError naming the variable. */
export function temporalConnectionSettings(values: EnvValues): TemporalConnectionSettings {
  const { temporalTlsCert: cert, temporalTlsKey: key } = values;
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError(cert ? 'TEMPORAL_TLS_CERT is set: set TEMPORAL_TLS_KEY to its private key as well' : 'TEMPORAL_TLS_KEY is set: set TEMPORAL_TLS_CERT to its certificate as well');
  }
  const files = {
    clientCertPath: readableFile('TEMPORAL_TLS_CERT', cert),
    clientKeyPath: readableFile('TEMPORAL_TLS_KEY', key),
    caPath: readableFile('TEMPORAL_TLS_CA', values.temporalTlsCa),
    serverName: values.temporalTlsServerName,
  };
  const anyTlsSetting = Object.values(files).some((value) => value !== undefined);
  const tls = values.temporalTls || anyTlsSetting || values.temporalApiKey !== undefined;
  const given = Object.fromEntries(Object.entries(files).filter(([, value]) => value !== undefined));
  return {
    ...(tls ? { tls: given } : {}),
    ...(values.temporalApiKey ? { apiKey: values.temporalApiKey } : {}),
  };
}
