import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import type { Request, Response } from 'express';

/** A sample API of the effectiveness bench: its spec, its seeded faults, how to start it and how a client authenticates. */
export interface BenchApi {
  /** Folder name under apis/, and the name on the bench's command line. */
  name: string;
  title: string;
  specPath: string;
  /** Seeded fault name → the bug it seeds; each one switched on alone. */
  faults: Readonly<Record<string, string>>;
  auth: {
    /** The security scheme's name in the spec (the suite reads API_AUTH_<SCHEME>). */
    scheme: string;
    /** What goes into API_AUTH_<SCHEME>. */
    credential: string;
    /** The header as a client sends it, for tools that take a raw header. */
    header: string;
    value: string;
  };
  /** A `schemathesis.toml` for what its spec cannot state (e.g. which statuses a schema-valid request may get). */
  schemathesisConfig?: string;
  /** A fresh API (fresh data) with at most one fault switched on. */
  start(fault?: string): Promise<RunningApi>;
}

export interface RunningApi {
  /** e.g. `http://127.0.0.1:43121/v1`. */
  baseUrl: string;
  close(): Promise<void>;
}

/** Serves the app on a free loopback port; `basePath` is where its routes are mounted (the spec's server path). */
export async function serve(app: express.Express, basePath: string, port = 0): Promise<RunningApi> {
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(port, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(listening)));
  });
  const address = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${address.port}${basePath}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** 405 with Allow for the methods a path does not document; OPTIONS answers the Allow list itself. */
export function otherMethods(allowed: string[], sendError: (res: Response, status: number, message: string) => void) {
  return (req: Request, res: Response) => {
    res.set('Allow', allowed.join(', '));
    if (req.method === 'OPTIONS') res.status(204).end();
    else sendError(res, 405, `${req.method} is not allowed here`);
  };
}

/** A query or path value as an integer when it is written as one, else unchanged (so a schema rejects it). */
export function integerFromText(raw: unknown): unknown {
  return typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
}
