// Child process: a TCP sender on 127.0.0.1, as fast as the receiver lets it.
//
//   node tcp-sender.mjs KIND PORT SIZE BATCH
//
//   netkit-frames  connect() from @netkit/tcp; ONE connection.send(codec.encode(msg)) per message
//                  of SIZE bytes (lengthPrefixed(), 4-byte prefix); after BATCH messages it lets
//                  the event loop run (setImmediate), and it awaits a send whenever that send did
//                  not resolve at once (writableLength reached highWaterMark: backpressure)
//   raw-frames     node:net; BATCH frames of SIZE bytes concatenated once, in advance, into one
//                  Buffer, written over and over with socket.write() and 'drain' handling
//   netkit-bulk    connect(); `await connection.send(chunk)` with chunks of SIZE bytes
//   raw-bulk       node:net; socket.write(chunk) of SIZE bytes, waiting for 'drain' when it
//                  returns false
//
// Connects, prints "READY", reads "START FROM TO" (epoch ms) on stdin, sends from FROM until TO,
// prints "RESULT {json}" (messages or bytes sent, the largest send queue seen, the RSS) and exits.
// Bounded in time (TO, and a hard limit) and in count.
import { once } from 'node:events';
import net from 'node:net';

const [kind, portArg, sizeArg, batchArg] = process.argv.slice(2);
const port = Number(portArg);
const size = Number(sizeArg);
const batch = Number(batchArg);
const KINDS = ['netkit-frames', 'raw-frames', 'netkit-bulk', 'raw-bulk'];
if (!KINDS.includes(kind) || !(port > 0) || !(size > 0) || !(batch >= 1)) {
  console.error(`usage: node tcp-sender.mjs ${KINDS.join('|')} PORT SIZE BATCH`);
  process.exit(2);
}
const HOST = '127.0.0.1';
const MAX_UNITS = 2 ** 50; // a count bound far above anything reachable in a window
const now = () => performance.timeOrigin + performance.now();

let hardLimit = setTimeout(() => {
  console.error('tcp-sender.mjs: no START within 60 s');
  process.exit(3);
}, 60_000);

let connection; // netkit
let socket; // node:net
if (kind.startsWith('netkit')) {
  const { connect } = await import('@netkit/tcp');
  connection = await connect({ host: HOST, port });
  connection.socket.on('error', () => undefined);
} else {
  socket = net.connect({ host: HOST, port });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
}

// A send() not awaited (it resolved at once) can only reject when the connection failed: stop.
let failed;
process.on('unhandledRejection', (err) => {
  failed ??= err;
});

let sent = 0; // messages or bytes
let waits = 0; // times the sender had to wait for the receiver (backpressure)
let maxQueued = 0; // the largest number of bytes accepted and not yet taken by the kernel

async function netkitFrames(to) {
  const { lengthPrefixed } = await import('@netkit/tcp');
  const codec = lengthPrefixed();
  const msg = Buffer.alloc(size, 0x61);
  // The documented rule: send() resolves at once while less than highWaterMark bytes wait;
  // writableLength tells whether this one did. The default highWaterMark is 1 MiB.
  const highWaterMark = 2 ** 20;
  while (now() < to && sent < MAX_UNITS && !connection.closed && !failed) {
    for (let i = 0; i < batch; i++) {
      const p = connection.send(codec.encode(msg));
      sent++;
      const queued = connection.writableLength;
      if (queued >= highWaterMark) {
        if (queued > maxQueued) maxQueued = queued;
        waits++;
        await p;
      }
    }
    if (connection.writableLength > maxQueued) maxQueued = connection.writableLength;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function netkitBulk(to) {
  const chunk = Buffer.alloc(size, 0x62);
  while (now() < to && sent < MAX_UNITS && !connection.closed) {
    await connection.send(chunk);
    sent += size;
    if (connection.writableLength > maxQueued) maxQueued = connection.writableLength;
  }
}

/** Writes `buf` until `to`, waiting for 'drain' whenever write() returns false. */
async function rawWrite(buf, units, to) {
  while (now() < to && sent < MAX_UNITS && !socket.destroyed) {
    const more = socket.write(buf);
    sent += units;
    if (socket.writableLength > maxQueued) maxQueued = socket.writableLength;
    if (!more) {
      waits++;
      await new Promise((resolve) => {
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve(undefined);
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    }
  }
}

async function run(from, to) {
  const cpuStart = process.cpuUsage();
  const t0 = now();
  try {
    if (kind === 'netkit-frames') await netkitFrames(to);
    else if (kind === 'netkit-bulk') await netkitBulk(to);
    else if (kind === 'raw-frames') {
      const frame = Buffer.alloc(4 + size, 0x61);
      frame.writeUInt32BE(size, 0);
      await rawWrite(Buffer.concat(Array.from({ length: batch }, () => frame)), batch, to);
    } else await rawWrite(Buffer.alloc(size, 0x62), size, to);
  } catch (err) {
    console.error(`tcp-sender.mjs ${kind}: ${err?.message ?? err}`);
  }
  const t1 = now();
  const cpu = process.cpuUsage(cpuStart);
  if (failed) console.error(`tcp-sender.mjs ${kind}: ${failed?.message ?? failed}`);
  const result = {
    sent,
    waits,
    maxQueuedBytes: maxQueued,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
    cpuShare: (cpu.user + cpu.system) / 1000 / (t1 - t0),
    sentMs: t1 - t0,
    startSkewMs: t0 - from,
  };
  connection?.destroy();
  socket?.destroy();
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, () => process.exit(0));
}

let input = '';
let started = false;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  input += chunk;
  const m = /^START (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)\n/.exec(input);
  if (m && !started) {
    started = true;
    const from = Number(m[1]);
    const to = Number(m[2]);
    clearTimeout(hardLimit);
    hardLimit = setTimeout(
      () => {
        console.error('tcp-sender.mjs: hard time limit reached');
        process.exit(3);
      },
      to - now() + 30_000,
    );
    hardLimit.unref();
    setTimeout(() => void run(from, to), Math.max(0, from - now()));
  }
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));

console.log('READY');
