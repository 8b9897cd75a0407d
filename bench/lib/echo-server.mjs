// Child process: one UDP echo server on 127.0.0.1, a free port. Prints "READY <port>", then serves
// until killed (or until its stdin closes, so that it never outlives the benchmark runner).
//   node echo-server.mjs bare     node:dgram, the anchor
//   node echo-server.mjs netkit   createEchoServer() from @netkit/udp, no prefix
import dgram from 'node:dgram';

const kind = process.argv[2];

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

if (kind === 'bare') {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (m, r) => socket.send(m, r.port, r.address));
  socket.on('error', () => {}); // a send error must not end the run; the load generator sees the loss
  socket.bind(0, '127.0.0.1', () => console.log(`READY ${socket.address().port}`));
} else if (/^bare\+\d+us$/.test(kind ?? '')) {
  // Calibration only: the bare server plus a busy wait of N µs per datagram, a known extra cost.
  const extraMs = Number(kind.slice(5, -2)) / 1000;
  const socket = dgram.createSocket('udp4');
  socket.on('message', (m, r) => {
    const until = performance.now() + extraMs;
    while (performance.now() < until);
    socket.send(m, r.port, r.address);
  });
  socket.on('error', () => {});
  socket.bind(0, '127.0.0.1', () => console.log(`READY ${socket.address().port}`));
} else if (kind === 'netkit') {
  const { createEchoServer } = await import('@netkit/udp');
  const server = await createEchoServer({ host: '127.0.0.1', port: 0 });
  console.log(`READY ${server.address().port}`);
} else {
  console.error(`echo-server.mjs: unknown kind ${JSON.stringify(kind)} (bare or netkit)`);
  process.exit(2);
}
