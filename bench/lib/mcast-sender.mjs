// Child process: sends datagrams of SIZE bytes to GROUP:PORT through 127.0.0.1 as fast as the
// kernel takes them, at most COUNT of them and for at most SECONDS, then prints "SENT <n>" and
// exits. Bounded in count and time whatever happens.
//   node mcast-sender.mjs GROUP PORT SIZE COUNT SECONDS
import dgram from 'node:dgram';

const [group, portText, sizeText, countText, secondsText] = process.argv.slice(2);
const [port, size, limit, seconds] = [portText, sizeText, countText, secondsText].map(Number);
const payload = Buffer.alloc(size, 0x61);
const socket = dgram.createSocket('udp4');
let sent = 0;
let errors = 0;
const stopAt = performance.now() + seconds * 1000;
socket.on('error', () => errors++);
socket.bind(0, '127.0.0.1', () => {
  socket.setMulticastInterface('127.0.0.1');
  socket.setMulticastTTL(1);
  // Connected: node:dgram then skips the per-send address handling, so one sender outruns two
  // receivers sharing a CPU.
  socket.connect(port, group, () => {
    const burst = () => {
      // Keep a bounded queue in libuv: a flood must not grow memory without limit.
      for (let i = 0; i < 256 && socket.getSendQueueCount() < 1024 && sent < limit; i++) {
        socket.send(payload);
        sent++;
      }
      if (sent < limit && performance.now() < stopAt) setImmediate(burst);
      else {
        console.log(`SENT ${sent} ${errors}`);
        socket.close();
      }
    };
    burst();
  });
});
setTimeout(() => process.exit(1), seconds * 1000 + 5000).unref();
