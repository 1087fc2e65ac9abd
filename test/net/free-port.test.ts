import fs from 'node:fs';
import net from 'node:net';
import { freePorts } from '../../lib/net/free-port';

describe('freePorts', () => {
  it('hands out different ports that can be listened on, outside the range outgoing connections take theirs from', async () => {
    const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    const ports = await freePorts(20);
    expect(new Set(ports).size).toBe(20);
    for (const port of ports) {
      expect(port >= low && port <= high).toBe(false);
      expect(port).toBeGreaterThanOrEqual(10_000);
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise((resolve) => server.close(resolve));
    }
  });

});
