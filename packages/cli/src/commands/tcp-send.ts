import { connect, TimeoutError } from '@netkit/tcp';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { flag, intArg } from '../flags.js';
import { showPayload } from '../payload-text.js';
import { readStdin } from '../stdin.js';
import { connectTarget, timeoutFlag, UNIX_FLAG } from '../tcp-target.js';

export const tcpSend: Command = {
  path: ['tcp', 'send'],
  summary:
    "Connect, send a message, close (the seed's sender of b'Hello'); optionally print the reply.",
  positionals: [
    { name: 'HOST', required: false, description: 'server name or IP (or use --unix)' },
    { name: 'PORT', required: false, description: 'server port' },
    { name: 'MESSAGE', required: false, description: 'the payload; read from stdin when omitted' },
  ],
  flags: {
    ...UNIX_FLAG,
    'wait-reply': {
      type: 'boolean',
      short: 'w',
      description:
        'after sending, half-close and print everything the server sends until it closes',
    },
    timeout: {
      type: 'string',
      value: 'MS',
      description: 'for connecting, and for the reply with --wait-reply (default 5000)',
    },
    'max-reply': {
      type: 'string',
      value: 'BYTES',
      description: 'largest reply accepted (default 67108864)',
    },
  },
  details:
    'The message is sent as is (no newline added). With --wait-reply the connection is half-closed\n' +
    '(FIN) after the message, so servers that read until end of stream answer and close; the reply\n' +
    'is printed raw on stdout. No reply in time exits 3.',
  examples: [
    'netkit tcp send localhost 6667 Hello',
    'echo hi | netkit tcp send localhost 6667 --wait-reply',
    'netkit tcp send --unix /tmp/echo.sock hello -w',
  ],
  async run(args, { out, signal }) {
    const { target, after: text } = connectTarget(args);
    const timeout = timeoutFlag(args.flags, 5000);
    const maxBytes = intArg('--max-reply', args.flags['max-reply'], 1, 2 ** 31) ?? 64 * 2 ** 20;
    const message =
      text !== undefined ? Buffer.from(text) : await readStdin(out.io, 2 ** 31, 'MESSAGE');
    const connection = await connect({ ...target, timeout, signal });
    try {
      await connection.send(message);
      out.verbose(`sent ${message.length} bytes to ${connection.remote}`);
      if (!flag(args.flags['wait-reply'])) {
        await connection.close();
        return ExitCode.ok;
      }
      await connection.end();
      let reply: Buffer;
      try {
        reply = await connection.readAll({ maxBytes, timeout, signal });
      } catch (err) {
        if (!(err instanceof TimeoutError)) throw err;
        out.info(
          `netkit: tcp send: no end of reply from ${connection.remote} within ${timeout} ms (raise --timeout)`,
        );
        return ExitCode.timeout;
      }
      if (out.flags.json)
        out.json({ from: connection.remote, size: reply.length, base64: reply.toString('base64') });
      else if (reply.length > 0)
        out.io.stdout.write(out.io.stdout.isTTY ? `${showPayload(reply)}\n` : reply);
      return ExitCode.ok;
    } finally {
      connection.destroy();
    }
  },
};
