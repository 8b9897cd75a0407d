import { buildEthernet, openPacketSocket } from '@netkit/rawframe-native';
import type { Command } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { flag, intArg, str } from '../flags.js';
import type { Output } from '../io.js';
import { ethertypeArg, macArg, RAW_DETAILS, RAW_FLAGS, rawTarget } from './raw-common.js';

/** Frames per sendBatch call (the addon's sendmmsg takes up to 1024 at once). */
const CHUNK = 1024;

/** On a terminal (and not --quiet/--json), "sent N frames, R frames/s" on stderr, redrawn each second. */
function statusLine(out: Output, sent: () => number, started: number): { stop(): void } {
  if (!out.io.stderr.isTTY || out.flags.quiet || out.flags.json) return { stop() {} };
  const draw = () => {
    const seconds = (performance.now() - started) / 1000;
    out.io.stderr.write(`\r\x1b[Ksent ${sent()} frames, ${Math.round(sent() / seconds)} frames/s`);
  };
  const timer = setInterval(draw, 1000);
  return {
    stop() {
      clearInterval(timer);
      out.io.stderr.write('\r\x1b[K');
    },
  };
}

function hexArg(text: string): Uint8Array {
  const clean = text.replace(/[\s:.-]/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(clean)) {
    throw new UsageError(
      `--hex must be pairs of hex digits (spaces or colons allowed), got '${text}'`,
    );
  }
  return Buffer.from(clean, 'hex');
}

export const rawSend: Command = {
  path: ['raw', 'send'],
  summary: 'Send an Ethernet frame you describe (the seed\'s "Hello" frame), once or N times fast.',
  positionals: [],
  flags: {
    ...RAW_FLAGS,
    dst: { type: 'string', value: 'MAC', description: 'destination MAC address (required)' },
    src: {
      type: 'string',
      value: 'MAC',
      description: "source MAC address (default: the interface's)",
    },
    ethertype: {
      type: 'string',
      value: '0xNNNN',
      description: 'the EtherType, e.g. 0x0801 (required)',
    },
    payload: { type: 'string', value: 'TEXT', description: 'the payload as text (UTF-8)' },
    hex: { type: 'string', value: 'HEX', description: 'the payload as hex digits' },
    count: {
      type: 'string',
      short: 'c',
      value: 'N',
      description: 'send N copies as fast as possible (batched) and print the rate',
    },
    'bypass-qdisc': {
      type: 'boolean',
      description: 'hand frames straight to the driver (faster; captures on this host miss them)',
    },
  },
  details:
    'Frames shorter than 60 bytes are padded with zeros (the NIC adds the FCS). With -c, Ctrl-C\n' +
    'stops early: the summary says how many went out, and the exit code is 130.\n' +
    `${RAW_DETAILS}`,
  examples: [
    'netkit raw send -i eth0 --dst 01:02:03:04:05:06 --ethertype 0x0801 --payload Hello',
    'netkit raw send -i eth0 --dst ff:ff:ff:ff:ff:ff --ethertype 0x88b5 --hex "de ad be ef"',
    'netkit raw send -i veth0 --netns lab --dst 02:00:00:00:00:02 --ethertype 0x0801 --payload x -c 100000',
  ],
  async run({ flags }, { out, signal }) {
    const target = rawTarget(flags);
    const dst = macArg('--dst', str(flags.dst));
    if (dst === undefined)
      throw new UsageError('--dst is required', 'e.g. --dst ff:ff:ff:ff:ff:ff');
    const src = macArg('--src', str(flags.src));
    if (flags.ethertype === undefined)
      throw new UsageError('--ethertype is required', 'e.g. --ethertype 0x0801');
    const ethertype = ethertypeArg('--ethertype', str(flags.ethertype));
    const text = str(flags.payload);
    const hex = str(flags.hex);
    if ((text === undefined) === (hex === undefined)) {
      throw new UsageError('give exactly one of --payload TEXT and --hex HEX');
    }
    const payload = hex !== undefined ? hexArg(hex) : Buffer.from(text ?? '');
    const count = intArg('--count', flags.count, 1, 100_000_000);

    await using socket = openPacketSocket({
      ...target,
      ignoreOutgoing: true,
      ...(flag(flags['bypass-qdisc']) && { qdiscBypass: true }),
    });
    const frame = buildEthernet({ dst, src: src ?? socket.interface.mac, ethertype, payload });
    if (count === undefined) {
      socket.send(frame);
      if (out.flags.json) out.json({ sent: 1, bytes: frame.length, interface: target.interface });
      else out.verbose(`sent ${frame.length} bytes on ${target.interface} to ${dst}`);
      return ExitCode.ok;
    }
    const chunk = Array<Uint8Array>(Math.min(CHUNK, count)).fill(frame);
    let sent = 0;
    const started = performance.now();
    const status = statusLine(out, () => sent, started);
    out.info(
      `sending ${count} frame${count === 1 ? '' : 's'} of ${frame.length} bytes on ${target.interface} (Ctrl-C stops)`,
    );
    try {
      while (sent < count && !signal.aborted) {
        const batch = count - sent >= chunk.length ? chunk : chunk.slice(0, count - sent);
        sent += socket.sendBatch(batch);
        // On lo and veth sendmmsg never blocks nor fills up, so without this the loop would
        // never give SIGINT (and the status line's timer) a turn.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      status.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const rate = Math.round(sent / seconds);
    const interrupted = sent < count;
    if (out.flags.json) {
      out.json({
        sent,
        bytes: frame.length,
        seconds,
        framesPerSecond: rate,
        interface: target.interface,
        ...(interrupted && { interrupted: true }),
      });
    } else {
      out.line(
        `sent ${sent} frames of ${frame.length} bytes on ${target.interface} in ${(seconds * 1000).toFixed(1)} ms: ${rate} frames/s${interrupted ? ` (interrupted, ${count - sent} not sent)` : ''}`,
      );
    }
    if (interrupted) return ExitCode.interrupted;
    return ExitCode.ok;
  },
};
