import { afterEach, describe, expect, it } from 'vitest';
import {
  createSocket,
  fragmentMessage,
  type LostMessage,
  type ReassemblerStats,
  type ReceivedMessage,
  receiveMessages,
  sendMessage,
  type UdpSocket,
} from '../src/index.js';
import { rejectionOf, waitUntil } from './helpers.js';

const open: UdpSocket[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

function bytes(length: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 131 + seed) & 0xff));
}

/** A receiver on loopback collecting what receiveMessages() yields, reports and counts. */
async function receiver() {
  const socket = createSocket({ recvBufferSize: 1 << 20 });
  open.push(socket);
  const { port } = await socket.bind(0, '127.0.0.1');
  const messages: ReceivedMessage[] = [];
  const lost: LostMessage[] = [];
  let stats: ReassemblerStats | undefined;
  const done = (async () => {
    for await (const m of receiveMessages(socket, {
      timeout: 2000,
      onLost: (l) => lost.push(l),
      onStats: (s) => {
        stats = s;
      },
    })) {
      messages.push(m);
    }
  })();
  return { socket, port, messages, lost, stats: () => stats, done };
}

async function sender(): Promise<UdpSocket> {
  const socket = createSocket({ type: 'udp4' });
  open.push(socket);
  await socket.bind(0, '127.0.0.1');
  return socket;
}

describe('sendMessage and receiveMessages', () => {
  it('carry messages larger than a datagram, byte-identical', async () => {
    const rx = await receiver();
    const tx = await sender();
    const payloads = [bytes(0, 1), bytes(1, 2), bytes(100_000, 3), bytes(5000, 4)];
    for (const p of payloads) {
      const sent = await sendMessage(tx, p, { host: '127.0.0.1', port: rx.port });
      expect(sent.fragments).toBe(Math.max(1, Math.ceil(p.length / 1176)));
    }
    expect(await waitUntil(() => rx.messages.length === payloads.length, 3000)).toBe(true);
    // One sender, loopback: messages arrive in order.
    expect(rx.messages.map((m, i) => m.data.equals(payloads[i]!))).toEqual(
      payloads.map(() => true),
    );
    expect(rx.messages[0]?.port).toBe(tx.address()?.port);
    expect(rx.messages[0]?.address).toBe('127.0.0.1');
  });

  it('skip malformed datagrams, count them, and end when the socket closes', async () => {
    const rx = await receiver();
    const tx = await sender();
    await tx.send('not a fragment', { host: '127.0.0.1', port: rx.port });
    await sendMessage(tx, 'after the junk', { host: '127.0.0.1', port: rx.port }, { messageId: 9 });
    // The first fragment of a message whose others never come: reported lost when it ends.
    const parts = fragmentMessage(bytes(10_000, 5), { messageId: 11 });
    await tx.send(parts[0]!, { host: '127.0.0.1', port: rx.port });

    expect(await waitUntil(() => rx.messages.length === 1, 3000)).toBe(true);
    expect(rx.messages[0]?.data.toString()).toBe('after the junk');
    expect(rx.messages[0]?.messageId).toBe(9);
    await waitUntil(() => rx.socket.stats.received === 3, 2000);
    await rx.socket.close();
    await rx.done;
    expect(rx.stats()).toMatchObject({ malformed: 1, delivered: 1, lost: 1, pending: 0 });
    expect(rx.lost.map((l) => [l.messageId, l.reason])).toEqual([[11, 'closed']]);
  });

  it('paces to rate', async () => {
    const rx = await receiver();
    const tx = await sender();
    const started = performance.now();
    await sendMessage(
      tx,
      bytes(60_000, 6),
      { host: '127.0.0.1', port: rx.port },
      { rate: 600_000 },
    );
    // 60 kB at 600 kB/s cannot take less than about 100 ms (a lower bound, not a speed test).
    expect(performance.now() - started).toBeGreaterThanOrEqual(85);
    expect(await waitUntil(() => rx.messages.length === 1, 3000)).toBe(true);
  });

  it('validates rate', async () => {
    const tx = await sender();
    for (const rate of [0, -1, Number.NaN]) {
      const err = await rejectionOf(sendMessage(tx, 'x', { host: '127.0.0.1', port: 9 }, { rate }));
      expect(err).toBeInstanceOf(RangeError);
      expect(err.message).toContain('rate');
    }
  });

  it('rejects with ERR_NETKIT_ABORTED when its signal fires', async () => {
    const rx = await receiver();
    const tx = await sender();
    const target = { host: '127.0.0.1', port: rx.port };
    // Already aborted: nothing is sent.
    const early = await rejectionOf(
      sendMessage(tx, bytes(5000, 7), target, { signal: AbortSignal.abort() }),
    );
    expect(early.code).toBe('ERR_NETKIT_ABORTED');
    expect(tx.stats.sent).toBe(0);
    // Aborted while pacing a large message.
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const late = await rejectionOf(
      sendMessage(tx, bytes(200_000, 8), target, { rate: 200_000, signal: controller.signal }),
    );
    expect(late.code).toBe('ERR_NETKIT_ABORTED');
    expect(tx.stats.sent).toBeLessThan(170);
  });
});
