// Small helpers shared by the udp tests: bounded polling and error-code matching.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach } from 'vitest';
import type { UdpServer, UdpSocket } from '../src/index.js';

export { rejectionOf, settlesWithin, thrownBy, waitUntil } from '@netkit/testkit';
export { sleep };

/** Lists whose sockets and servers are closed after each test (servers get `serverTimeout` ms). */
export function closeAfterEach(serverTimeout: number): {
  sockets: UdpSocket[];
  servers: UdpServer[];
} {
  const sockets: UdpSocket[] = [];
  const servers: UdpServer[] = [];
  afterEach(async () => {
    await Promise.all([
      ...sockets.splice(0).map((s) => s.close()),
      ...servers.splice(0).map((s) => s.close({ timeout: serverTimeout })),
    ]);
  });
  return { sockets, servers };
}
