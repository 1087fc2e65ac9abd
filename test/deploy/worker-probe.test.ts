/**
 * infra/probes/temporal-connected.sh, the worker probe of compose.yaml and the Kubernetes
 * manifests, run for real: it passes while this network namespace holds an established TCP
 * connection to the port of TEMPORAL_ADDRESS and fails, saying why, once the connection is gone.
 */
import net from 'node:net';
import { projectFile, run } from './support/tools';

const PROBE = projectFile('infra/probes/temporal-connected.sh');

function listen(): Promise<net.Server> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => socket.on('error', () => undefined));
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

const probe = (address: string) => run('/bin/sh', [PROBE], { env: { PATH: process.env.PATH ?? '', TEMPORAL_ADDRESS: address } });

describe('worker probe (temporal-connected.sh)', () => {
  let server: net.Server;
  let port: number;

  beforeEach(async () => {
    server = await listen();
    port = (server.address() as net.AddressInfo).port;
  });
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  it('fails with a reason while nothing is connected to the frontend port', async () => {
    const outcome = await probe(`temporal.example.internal:${port}`);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain(`no established connection to the Temporal frontend port ${port}`);
  });

  it('passes while a connection to that port is established, and fails again once it is closed', async () => {
    const socket = await connect(port);
    try {
      expect((await probe(`temporal.example.internal:${port}`)).code).toBe(0);
      // A connection to another port is not one to the frontend.
      const other = await listen();
      try {
        expect((await probe(`temporal.example.internal:${(other.address() as net.AddressInfo).port}`)).code).toBe(1);
      } finally {
        other.close();
      }
    } finally {
      socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await probe(`temporal.example.internal:${port}`)).code).toBe(1);
  });
});
