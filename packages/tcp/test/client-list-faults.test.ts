// Faults: a client sending a 100 MB name. It gets a clear error (if it reads before the server
// closes), the server's memory stays bounded (measured from /proc in a server process of its own),
// and the server keeps serving the next join.
import { connect as netConnect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { spawnProcess } from '@netkit/testkit';
import { describe, expect, it } from 'vitest';
import { type ClientListProtocol, joinClientList } from '../src/index.js';
import { closeAfterEach, procStatusBytes } from './helpers.js';

const open = closeAfterEach();
const serverScript = fileURLToPath(new URL('./fixtures/client-list-server.mjs', import.meta.url));

const MiB = 2 ** 20;
const NAME_BYTES = 100 * MiB;

interface Flood {
  /** What the server sent back before the connection ended. */
  reply: Buffer;
  /** The client's socket error (ECONNRESET, EPIPE), if any. */
  error: NodeJS.ErrnoException | undefined;
  /** Bytes the client managed to hand to its socket. */
  written: number;
}

/**
 * Writes `prefix` then a name of NAME_BYTES bytes in 1 MiB chunks (honouring backpressure),
 * reading whatever comes back, until everything is written or the server closes.
 */
function flood(port: number, prefix: Buffer): Promise<Flood> {
  return new Promise((resolve, reject) => {
    const socket: Socket = open.socket(netConnect({ host: '127.0.0.1', port }));
    const chunks: Buffer[] = [];
    let error: NodeJS.ErrnoException | undefined;
    let written = 0;
    let stopped = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the 100 MB name was not dealt with in 30 s (${written} bytes written)`));
    }, 30_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (err) => {
      error = err;
    });
    socket.once('close', () => {
      stopped = true;
      clearTimeout(timer);
      resolve({ reply: Buffer.concat(chunks), error, written });
    });
    const piece = Buffer.alloc(MiB, 0x6e); // 'n'
    const pump = () => {
      while (!stopped && written < NAME_BYTES) {
        written += piece.length;
        if (!socket.write(piece)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (!stopped) socket.end();
    };
    socket.once('connect', () => {
      socket.write(prefix);
      pump();
    });
  });
}

async function startServer(protocol: ClientListProtocol) {
  const server = open.process(spawnProcess(process.execPath, [serverScript, protocol]));
  const ready = await server.waitFor(/\{"port":(\d+),"pid":(\d+)\}/, { stream: 'stdout' });
  return { port: Number(ready[1]), pid: Number(ready[2]) };
}

describe('a 100 MB name', () => {
  for (const protocol of ['plain', 'framed'] as const) {
    it(`${protocol}: is refused with bounded memory, and the server serves on`, async () => {
      const { port, pid } = await startServer(protocol);
      const join = (name: string) => joinClientList({ host: '127.0.0.1', port, name, protocol });
      // Warm up (code paths compiled, buffers allocated) before the baseline.
      for (let i = 0; i < 20; i++) await join(`warm-up-${i}`);
      const before = await procStatusBytes(pid, 'VmRSS');

      let prefix = Buffer.alloc(0);
      if (protocol === 'framed') {
        prefix = Buffer.alloc(4);
        prefix.writeUInt32BE(NAME_BYTES);
      }
      const { reply, error } = await flood(port, prefix);

      // The peak resident size while the name was coming in: bounded, not 100 MB.
      const peak = await procStatusBytes(pid, 'VmHWM');
      const growth = peak - before;
      expect(growth, `server RSS grew by ${(growth / MiB).toFixed(1)} MiB`).toBeLessThan(50 * MiB);

      // A reply, when the client read one before the close, is a clear error.
      if (reply.length > 0) {
        const body = protocol === 'framed' ? reply.subarray(4) : reply;
        const parsed = JSON.parse(body.toString()) as { error?: string };
        expect(parsed.error).toMatch(/longer than 256 bytes|exceeds the 256-byte limit/);
      }
      if (error !== undefined) expect(error.code).toMatch(/^(ECONNRESET|EPIPE)$/);

      // The server goes on: the next join gets the list, without the flood in it.
      const list = await join('after-the-flood');
      expect(Object.keys(list)).toHaveLength(21);
      expect(list['after-the-flood']).toMatchObject({ address: '127.0.0.1' });
      expect(JSON.stringify(list).length).toBeLessThan(10_000);
    });
  }
});
