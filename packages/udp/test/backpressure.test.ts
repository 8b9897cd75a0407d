import { afterEach, describe, expect, it } from 'vitest';
import { createSocket, SendQueueFullError, type UdpSocket } from '../src/index.js';
import { settlesWithin, waitUntil } from './helpers.js';

const open: UdpSocket[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('backpressure', () => {
  it('keeps the event loop turning during a flood of awaited sends', async () => {
    const receiver = createSocket({ recvBufferSize: 4 << 20 });
    const sender = createSocket();
    open.push(receiver, sender);
    const { port } = await receiver.bind(0, '127.0.0.1');
    let received = 0;
    receiver.setListener(() => {
      received++;
    });

    const total = 20_000;
    const payload = Buffer.alloc(64, 7);
    let ticks = 0;
    const interval = setInterval(() => {
      ticks++;
    }, 1);
    const started = performance.now();
    try {
      for (let i = 0; i < total; i++) await sender.send(payload, { host: '127.0.0.1', port });
    } finally {
      clearInterval(interval);
    }
    const elapsed = performance.now() - started;
    // Timers fired while the loop above ran: the sends did not starve the event loop. (A flood of
    // sends resolved in microtasks alone would give 0 ticks, however long it took.)
    expect(ticks, `${ticks} ticks in ${elapsed.toFixed(0)} ms`).toBeGreaterThan(20);
    expect(sender.stats.sent).toBe(total);
    expect(sender.sendsInFlight).toBe(0);
    await waitUntil(() => received === total, 2000);
    // Receiving in the same process kept pace: loopback does not drop unless the reader starves.
    expect(received).toBeGreaterThan(total * 0.9);
    expect(receiver.stats.received).toBe(received);
  });

  it('refuses sends beyond maxQueuedSends and settles every promise', async () => {
    const receiver = createSocket();
    const sender = createSocket({ maxInFlight: 1, maxQueuedSends: 10 });
    open.push(receiver, sender);
    const { port } = await receiver.bind(0, '127.0.0.1');
    await sender.bind(0, '127.0.0.1');

    let maxQueued = 0;
    const watch = setInterval(() => {
      maxQueued = Math.max(maxQueued, sender.sendsQueued);
    }, 0);
    const sends: Promise<number>[] = [];
    for (let i = 0; i < 100; i++) {
      sends.push(sender.send(`m${i}`, { host: '127.0.0.1', port }));
      maxQueued = Math.max(maxQueued, sender.sendsQueued);
      expect(sender.sendsInFlight).toBeLessThanOrEqual(1);
    }
    const all = await settlesWithin(Promise.allSettled(sends), 5000);
    clearInterval(watch);
    expect(all.settled, 'every send settles').toBe(true);
    const results = all.settled ? (all.value ?? []) : [];
    const refused = results.filter((r) => r.status === 'rejected');
    const done = results.filter((r) => r.status === 'fulfilled');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(SendQueueFullError);
      expect((r.reason as SendQueueFullError).code).toBe('ERR_UDP_SEND_QUEUE_FULL');
    }
    expect(maxQueued).toBeLessThanOrEqual(10);
    expect(maxQueued).toBeGreaterThan(0);
    // One in flight plus ten waiting went out; the rest were refused.
    expect(done.length).toBe(11);
    expect(sender.stats.sendsRefused).toBe(refused.length);
    expect(sender.stats.sent).toBe(done.length);
    expect(sender.sendsQueued).toBe(0);
    expect(sender.sendsInFlight).toBe(0);
    // And the socket still works afterwards.
    await sender.send('after', { host: '127.0.0.1', port });
  });

  it('rejects queued sends with ERR_UDP_SOCKET_CLOSED when the socket closes', async () => {
    const receiver = createSocket();
    const sender = createSocket({ maxInFlight: 1, maxQueuedSends: 100 });
    open.push(receiver, sender);
    const { port } = await receiver.bind(0, '127.0.0.1');
    await sender.bind(0, '127.0.0.1');
    const sends = Array.from({ length: 20 }, (_, i) =>
      sender.send(`q${i}`, { host: '127.0.0.1', port }),
    );
    expect(sender.sendsQueued).toBe(19);
    // Observe the queued sends before closing: close() rejects them while it runs.
    const queued = Promise.allSettled(sends.slice(1));
    await sender.close();
    const outcome = await settlesWithin(queued, 2000);
    expect(outcome.settled).toBe(true);
    const results = outcome.settled ? (outcome.value ?? []) : [];
    for (const r of results) {
      expect(r.status).toBe('rejected');
      if (r.status === 'rejected') expect(r.reason.code).toBe('ERR_UDP_SOCKET_CLOSED');
    }
  });
});
