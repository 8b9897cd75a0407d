// A port for a server that binds UDP and TCP on it (unbound). The same rule as testkit's
// freeServerPort, which the bench cannot import (testkit is TypeScript source).
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** Binds UDP and a TCP listener on `port`; true when both were free. Closes both either way. */
async function freeForBoth(port, host) {
  const udp = dgram.createSocket('udp4');
  const tcp = net.createServer();
  const bound = (bind, emitter) =>
    new Promise((resolve) => {
      emitter.once('error', () => resolve(false));
      bind(() => resolve(true));
    });
  const ok =
    (await bound((done) => udp.bind(port, host, done), udp)) &&
    (await bound((done) => tcp.listen({ port, host }, done), tcp));
  await new Promise((resolve) => udp.close(() => resolve(undefined)));
  if (tcp.listening) await new Promise((resolve) => tcp.close(() => resolve(undefined)));
  return ok;
}

/**
 * A port free for UDP and TCP on 127.0.0.1, below the ephemeral range: the TCP benchmarks that run
 * before leave thousands of client ports there in TIME_WAIT, and unbound's TCP bind on such a
 * port fails with EADDRINUSE (it did, three tries in a row).
 */
export async function freeServerPort(host = '127.0.0.1') {
  let low = 32_768;
  try {
    const first = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
    if (Number.isInteger(first) && first > 2000) low = first;
  } catch {
    // keep the kernel's default
  }
  const from = Math.min(10_000, low - 1000);
  for (let i = 0; i < 100; i++) {
    const port = from + Math.floor(Math.random() * (low - from));
    if (await freeForBoth(port, host)) return port;
  }
  throw new Error(`no port free for UDP and TCP between ${from} and ${low - 1}`);
}
