// Child process: a closed-loop UDP load generator for one echo server.
//
//   node loadgen.mjs PORT SIZE WINDOW WARMUP_MS MEASURE_MS
//
// Binds 127.0.0.1 and connects to 127.0.0.1:PORT, prints "READY", reads "START <epoch ms>" on
// stdin, then at that wall-clock time T (the same for every generator of a round) sends datagrams
// of SIZE bytes, keeping WINDOW of them outstanding. Each datagram carries a sequence number;
// loopback keeps order, so a reply with sequence s means everything sent before s that did not
// come back was lost: outstanding = sent - 1 - highest sequence seen, re-filled to WINDOW on each
// reply, and by a 10 ms timer when nothing came back for 20-30 ms (every outstanding datagram
// lost). Replies are counted between T + WARMUP_MS and T + WARMUP_MS + MEASURE_MS; prints
// "RESULT {json}" and exits. Bounded in time whatever happens.
import dgram from 'node:dgram';

const [port, size, window, warmupMs, measureMs] = process.argv.slice(2).map(Number);
if (!(port > 0 && size >= 4 && window >= 1 && warmupMs >= 0 && measureMs > 0)) {
  console.error('usage: node loadgen.mjs PORT SIZE(>=4) WINDOW WARMUP_MS MEASURE_MS');
  process.exit(2);
}

const now = () => performance.timeOrigin + performance.now(); // epoch ms, sub-ms resolution
const RING = 1 << Math.ceil(Math.log2(Math.max(1024, window * 4)));
const ring = Array.from({ length: RING }, () => Buffer.alloc(size, 0x61));
const MASK = RING - 1;
const RECV_BUFFER = 4 * 1024 * 1024;

let next = 0; // sequence number of the next datagram to send
let highest = -1; // highest sequence number echoed back
let received = 0;
let lost = 0; // datagrams skipped over by a later reply
let startAt = 0;
let sendErrors = 0;
let sending = false;
let lastProgress = 0;

const socket = dgram.createSocket('udp4');
socket.on('error', () => sendErrors++);

function fill() {
  if (!sending) return;
  // At most WINDOW in flight; a bounded loop even if the arithmetic went wrong.
  for (let n = window - (next - 1 - highest); n > 0; n--) {
    const buf = ring[next & MASK];
    buf.writeUInt32LE(next >>> 0, 0);
    socket.send(buf);
    next++;
  }
}

socket.on('message', (msg) => {
  received++;
  const seq = msg.readUInt32LE(0);
  if (seq > highest && seq < next) {
    lost += seq - highest - 1;
    highest = seq;
  }
  fill();
});

socket.bind(0, '127.0.0.1', () => {
  // Replies must never be dropped on our side, where the server's work would go uncounted: take
  // the largest receive buffer the kernel allows (net.core.rmem_max caps it silently).
  try {
    socket.setRecvBufferSize(RECV_BUFFER);
  } catch {
    // keep the default
  }
  socket.connect(port, '127.0.0.1', () => {
    console.log('READY');
  });
});

// Never outlive the runner: a hard stop well after the measuring window should have ended.
setTimeout(
  () => {
    console.error('loadgen.mjs: hard time limit reached');
    process.exit(3);
  },
  warmupMs + measureMs + 30_000,
).unref();

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  input += chunk;
  const m = /^START (\d+(?:\.\d+)?)\n/.exec(input);
  if (m && !startAt) {
    startAt = Number(m[1]);
    setTimeout(run, Math.max(0, startAt - now()));
  }
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));

let stalls = 0;

function run() {
  sending = true;
  const t0 = now();
  fill();
  let idleTicks = 0;
  const refill = setInterval(() => {
    if (received !== lastProgress) idleTicks = 0;
    else if (++idleTicks >= 3) {
      // Nothing came back for 20-30 ms: whatever is outstanding is gone (a gap in the sequence
      // numbers tells a loss as soon as a later reply arrives; this is for losing all of them).
      idleTicks = 0;
      stalls++;
      highest = next - 1;
      fill();
    }
    lastProgress = received;
  }, 10);

  let startCount = 0;
  let startTime = 0;
  let sentAtStart = 0;
  let lostAtStart = 0;
  let stallsAtStart = 0;
  let cpuAtStart;
  const measureStart = startAt + warmupMs;
  const measureEnd = measureStart + measureMs;
  setTimeout(
    () => {
      startTime = now();
      startCount = received;
      sentAtStart = next;
      lostAtStart = lost;
      stallsAtStart = stalls;
      cpuAtStart = process.cpuUsage();
      setTimeout(finish, Math.max(0, measureEnd - now()));
    },
    Math.max(0, measureStart - now()),
  );

  function finish() {
    const endTime = now();
    const count = received - startCount;
    const sent = next - sentAtStart;
    sending = false;
    clearInterval(refill);
    const seconds = (endTime - startTime) / 1000;
    const cpu = process.cpuUsage(cpuAtStart);
    const result = {
      perSecond: count / seconds,
      replies: count,
      sent,
      lost: lost - lostAtStart,
      stalls: stalls - stallsAtStart,
      sendErrors,
      measuredMs: endTime - startTime,
      recvBufferBytes: socket.getRecvBufferSize(),
      cpuShare: (cpu.user + cpu.system) / 1000 / (endTime - startTime),
      startSkewMs: t0 - startAt,
      windowStartSkewMs: startTime - measureStart,
    };
    socket.close();
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, () => process.exit(0));
  }
}
