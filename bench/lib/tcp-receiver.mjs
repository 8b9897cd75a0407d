// Child process: a TCP receiver on 127.0.0.1 that counts what its senders send.
//
//   node tcp-receiver.mjs KIND SIZE
//
//   netkit-frames  createServer() from @netkit/tcp; each connection read with
//                  connection.frames(lengthPrefixed()), one frame at a time; counts frames
//   raw-frames     node:net; socket.on('data') with a hand-written 4-byte length-prefix parser
//                  that hands out each frame as a Buffer (a view, or a copy when it spans chunks)
//   netkit-bulk    createServer(); `for await (const chunk of connection)`; counts bytes
//   raw-bulk       node:net; socket.on('data'); counts bytes
//
// SIZE is the payload size every frame must have (frames of another size are counted as bad).
// Prints "READY <port>", then takes commands on stdin:
//
//   WINDOW ID FROM TO   count between the epoch times FROM and TO (ms), then print
//                       "RESULT ID {json}" with the count, the rate and the bad frames
//
// Serves until its stdin closes (then exits), or a hard time limit.
import net from 'node:net';

const [kind, sizeArg] = process.argv.slice(2);
const size = Number(sizeArg);
const KINDS = ['netkit-frames', 'raw-frames', 'netkit-bulk', 'raw-bulk'];
if (!KINDS.includes(kind) || !(size >= 0)) {
  console.error(`usage: node tcp-receiver.mjs ${KINDS.join('|')} SIZE`);
  process.exit(2);
}
const HOST = '127.0.0.1';
/** The same frame size limit as lengthPrefixed()'s default, so both parsers check one. */
const MAX_FRAME = 16 * 1024 * 1024;
const HARD_LIMIT_MS = 15 * 60_000;

const now = () => performance.timeOrigin + performance.now();
let units = 0; // frames or bytes received, over every connection so far
let bad = 0; // frames of the wrong size
let connections = 0;
let connectionErrors = 0;

function rawFrameParser() {
  const head = Buffer.alloc(4);
  let headHave = 0; // bytes of a length prefix split across chunks
  let body; // the frame in progress when it spans chunks (a copy)
  let bodyHave = 0;
  const frame = (f) => {
    units++;
    if (f.length !== size) bad++;
  };
  return (chunk) => {
    const end = chunk.length;
    let pos = 0;
    if (headHave > 0) {
      while (headHave < 4 && pos < end) head[headHave++] = chunk[pos++];
      if (headHave < 4) return;
      headHave = 0;
      const length = head.readUInt32BE(0);
      if (length > MAX_FRAME) throw new RangeError(`frame of ${length} bytes`);
      body = Buffer.allocUnsafe(length);
      bodyHave = 0;
    }
    if (body !== undefined) {
      const n = Math.min(body.length - bodyHave, end - pos);
      chunk.copy(body, bodyHave, pos, pos + n);
      bodyHave += n;
      pos += n;
      if (bodyHave < body.length) return;
      frame(body);
      body = undefined;
    }
    while (end - pos >= 4) {
      const length = chunk.readUInt32BE(pos);
      if (length > MAX_FRAME) throw new RangeError(`frame of ${length} bytes`);
      const start = pos + 4;
      const stop = start + length;
      if (stop > end) {
        body = Buffer.allocUnsafe(length);
        bodyHave = end - start;
        chunk.copy(body, 0, start, end);
        return;
      }
      frame(chunk.subarray(start, stop));
      pos = stop;
    }
    while (pos < end) head[headHave++] = chunk[pos++];
  };
}

let port;
if (kind.startsWith('netkit')) {
  const { createServer, lengthPrefixed } = await import('@netkit/tcp');
  const codec = lengthPrefixed();
  const handler =
    kind === 'netkit-frames'
      ? async (connection) => {
          connections++;
          for await (const frame of connection.frames(codec)) {
            units++;
            if (frame.length !== size) bad++;
          }
        }
      : async (connection) => {
          connections++;
          for await (const chunk of connection) units += chunk.length;
        };
  // A sender that stops mid-frame or resets the connection makes its handler throw: counted.
  const server = await createServer(handler, {
    host: HOST,
    port: 0,
    onError: () => connectionErrors++,
  });
  port = server.port;
} else {
  const server = net.createServer((socket) => {
    connections++;
    socket.on('error', () => connectionErrors++);
    if (kind === 'raw-frames') {
      const parse = rawFrameParser();
      socket.on('data', (chunk) => {
        try {
          parse(chunk);
        } catch {
          connectionErrors++;
          socket.destroy();
        }
      });
    } else {
      socket.on('data', (chunk) => {
        units += chunk.length;
      });
    }
  });
  await new Promise((resolve) => server.listen(0, HOST, () => resolve(undefined)));
  port = /** @type {net.AddressInfo} */ (server.address()).port;
}

setTimeout(() => {
  console.error('tcp-receiver.mjs: hard time limit reached');
  process.exit(3);
}, HARD_LIMIT_MS).unref();

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  input += chunk;
  let nl = input.indexOf('\n');
  while (nl >= 0) {
    const line = input.slice(0, nl);
    input = input.slice(nl + 1);
    const m = /^WINDOW (\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$/.exec(line);
    if (m) countWindow(m[1], Number(m[2]), Number(m[3]));
    nl = input.indexOf('\n');
  }
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));

function countWindow(id, from, to) {
  setTimeout(
    () => {
      const t0 = now();
      const u0 = units;
      const b0 = bad;
      const c0 = connections;
      setTimeout(
        () => {
          const t1 = now();
          const count = units - u0;
          const result = {
            count,
            perSecond: count / ((t1 - t0) / 1000),
            bad: bad - b0,
            measuredMs: t1 - t0,
            windowStartSkewMs: t0 - from,
            connections: connections - c0,
            connectionErrors,
          };
          process.stdout.write(`RESULT ${id} ${JSON.stringify(result)}\n`);
        },
        Math.max(0, to - now()),
      );
    },
    Math.max(0, from - now()),
  );
}

console.log(`READY ${port}`);
