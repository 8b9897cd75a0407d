import { CommandError, UsageError } from './exit-codes.js';
import type { Io } from './io.js';

/** Reads all of stdin, refusing more than `limit` bytes rather than buffering without bound. */
export async function readStdin(io: Io, limit: number, what: string): Promise<Buffer> {
  if (io.stdin.isTTY) {
    throw new UsageError(
      `no ${what} given and stdin is a terminal`,
      `pass ${what} as an argument or pipe it in`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limit) {
      throw new CommandError(
        `reading stdin: more than ${limit} bytes (send less, or use --fragment for large messages)`,
      );
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
