import fs from 'node:fs';
import net from 'node:net';

/** A TCP port on 127.0.0.1 that nothing listened on a moment ago (for tests and benchmarks). */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port;
}

/** Below this, ports that servers are commonly configured with (Postgres, Redis, 7233, 8000, 8233…). */
const LOWEST = 10_000;

/**
 * The start of the kernel's ephemeral port range (Linux), or undefined. Outgoing connections take
 * their local port from that range, and so does `listen(0)`: a port chosen there can be taken by
 * some connection in the moment before the service it was chosen for binds it ("address already
 * in use").
 */
function ephemeralStart(): number | undefined {
  try {
    const low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) ? low : undefined;
  } catch {
    return undefined;
  }
}

/** A random port between LOWEST and `below`, or 0 (the kernel's choice) where there is no such room. */
function candidatePort(below: number | undefined): number {
  if (below === undefined || below - LOWEST < 1_000) return 0;
  return LOWEST + Math.floor(Math.random() * (below - LOWEST));
}

function listenOn(server: net.Server, port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' || err.code === 'EACCES' ? resolve(undefined) : reject(err));
    server.once('error', failed);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', failed);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/**
 * `count` different free ports, outside the ephemeral range where there is room. Each is held
 * until all are found: a port closed at once can be handed out again by the next request, and two
 * services given the same port fail to start.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  const below = ephemeralStart();
  try {
    const ports: number[] = [];
    for (let tries = 0; ports.length < count; tries += 1) {
      const server = net.createServer();
      // After many taken candidates, the kernel's choice.
      const port = await listenOn(server, tries < 100 ? candidatePort(below) : 0);
      if (port === undefined) continue;
      servers.push(server);
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
