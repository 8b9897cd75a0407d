// Child process: netkit's client-list service, createClientListServer() from @netkit/tcp with
// the seed's plain protocol, on 127.0.0.1 and a free port. Prints "READY <port>", then serves
// until its stdin closes (or a hard time limit).
import { createClientListServer } from '@netkit/tcp';

const server = await createClientListServer({ host: '127.0.0.1', port: 0, protocol: 'plain' });

setTimeout(() => {
  console.error('client-list-server.mjs: hard time limit reached');
  process.exit(3);
}, 15 * 60_000).unref();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

console.log(`READY ${server.port}`);
