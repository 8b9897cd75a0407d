import { createInterface } from 'node:readline';
import { connect } from '@netkit/tcp';
import type { Command } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { showPayload } from '../payload-text.js';
import { connectTarget, timeoutFlag, UNIX_FLAG } from '../tcp-target.js';

export const tcpChat: Command = {
  path: ['tcp', 'chat'],
  summary: 'An interactive TCP client: each line you type is sent, whatever arrives is printed.',
  positionals: [
    { name: 'HOST', required: false, description: 'server name or IP (or use --unix)' },
    { name: 'PORT', required: false, description: 'server port' },
  ],
  flags: {
    ...UNIX_FLAG,
    timeout: { type: 'string', value: 'MS', description: 'for connecting (default 5000)' },
  },
  details:
    'Lines are sent with their newline. At the end of input (Ctrl-D) the connection is half-closed\nand what the server still sends is printed until it closes.',
  examples: ['netkit tcp chat localhost 6667'],
  async run(args, { out, signal }) {
    const { target, after } = connectTarget(args);
    if (after !== undefined) throw new UsageError('give HOST PORT or --unix PATH, not both');
    const connection = await connect({ ...target, timeout: timeoutFlag(args.flags, 5000), signal });
    const interactive = Boolean(out.io.stdin.isTTY);
    const printing = (async () => {
      for await (const chunk of connection) {
        if (out.flags.json)
          out.json({
            from: connection.remote,
            size: chunk.length,
            base64: chunk.toString('base64'),
          });
        else if (interactive) out.line(`reply: ${showPayload(chunk)}`);
        else out.io.stdout.write(chunk);
      }
    })();
    const lines = createInterface({
      input: out.io.stdin,
      terminal: interactive,
      ...(interactive && { output: out.io.stderr, prompt: 'message: ' }),
    });
    try {
      if (interactive) lines.prompt();
      for await (const line of lines) {
        if (signal.aborted || connection.closed) break;
        await connection.send(`${line}\n`);
        if (interactive) lines.prompt();
      }
      await connection.end();
      await printing;
    } finally {
      lines.close();
      connection.destroy();
    }
    return ExitCode.ok;
  },
};
