// Child process: one multicast receiver joined to GROUP on 127.0.0.1 and bound to GROUP:PORT
// (shared, SO_REUSEADDR), counting datagrams. Prints "READY", then answers each "MARK" line on
// stdin with "COUNT <datagrams> <bytes> <performance.now() ms>". Exits when its stdin closes.
//   node mcast-receiver.mjs bare   GROUP PORT   node:dgram, the anchor
//   node mcast-receiver.mjs netkit GROUP PORT   joinGroup() from @netkit/multicast
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';

const [kind, group, portText] = process.argv.slice(2);
const port = Number(portText);
let count = 0;
let bytes = 0;
const RECV_BUFFER = 4 * 1024 * 1024;

createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line === 'MARK') console.log(`COUNT ${count} ${bytes} ${performance.now()}`);
  })
  .on('close', () => process.exit(0));

if (kind === 'bare') {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true, recvBufferSize: RECV_BUFFER });
  socket.on('message', (m) => {
    count++;
    bytes += m.length;
  });
  socket.bind(port, group, () => {
    socket.addMembership(group, '127.0.0.1');
    console.log('READY');
  });
} else if (kind === 'netkit') {
  const { joinGroup } = await import('@netkit/multicast');
  const socket = await joinGroup({
    group,
    port,
    interface: '127.0.0.1',
    recvBufferSize: RECV_BUFFER,
  });
  socket.setListener((d) => {
    count++;
    bytes += d.data.length;
  });
  console.log('READY');
} else {
  console.error(`mcast-receiver.mjs: unknown kind ${JSON.stringify(kind)} (bare or netkit)`);
  process.exit(2);
}
