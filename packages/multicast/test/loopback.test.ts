import { getEventListeners } from 'node:events';
import { rejectionOf, settlesWithin, thrownBy, waitUntil } from '@netkit/testkit';
import { createSocket as createUdpSocket } from '@netkit/udp';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AckReceiver,
  collectReplies,
  createAckReceiver,
  InterfaceRequiredError,
  joinGroup,
  MulticastSocket,
  resolveInterface,
} from '../src/index.js';

// Everything here stays on 127.0.0.1: Linux loops IPv4 multicast back on lo.
const LO = '127.0.0.1';
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function receiver(group: string, port = 0, ack?: string): Promise<AckReceiver> {
  const r = await createAckReceiver({ group, port, interface: LO, ...(ack && { ack }) });
  open.push(r);
  return r;
}

describe('on loopback', () => {
  it('collects an ack from every receiver sharing the port, with who answered and when', async () => {
    const group = '239.77.0.1';
    const seen: (string | undefined)[] = [];
    const first = await createAckReceiver({
      group,
      port: 0,
      interface: 'lo',
      onMessage: (d) => seen.push(d.group),
    });
    open.push(first);
    const port = first.socket.address()!.port;
    await receiver(group, port, 'ack 2'); // reuseAddr is the default: both bind group:port

    const result = await collectReplies({ group, port }, 'Very important data', {
      interface: LO,
      timeout: 400,
    });
    expect(result.reason).toBe('timeout');
    expect(result.sent).toBe(19);
    expect(result.replies.map((r) => r.data.toString()).sort()).toEqual(['ack', 'ack 2']);
    for (const r of result.replies) {
      expect(r.address).toBe(LO);
      expect(r.port).toBe(port);
      expect(r.family).toBe('IPv4');
      expect(r.time).toBeGreaterThanOrEqual(0);
      expect(r.time).toBeLessThan(400);
    }
    // Bound to the group address, the receiver knows which group each datagram was sent to.
    expect(seen).toEqual([group]);
    expect(first.stats).toEqual({ received: 1, acked: 1, dropped: 0 });

    const counted = await collectReplies({ group, port }, 'again', {
      interface: LO,
      count: 1,
      timeout: 5000,
    });
    expect(counted.reason).toBe('count');
    expect(counted.replies).toHaveLength(1);
  });

  it('takes options and joins in any order before bind without binding, then applies them', async () => {
    const group = '239.77.0.2';
    const member = new MulticastSocket();
    open.push(member);
    member.join(group, { interface: LO });
    // node:dgram's addMembership before bind binds a random port; nothing is bound here.
    expect(member.address()).toBeUndefined();
    expect(member.udp?.nodeSocket).toBeUndefined(); // no node:dgram socket exists yet at all
    expect(member.memberships()).toEqual([{ group, interface: 'lo', source: undefined }]);

    const sender = new MulticastSocket();
    open.push(sender);
    sender.setTTL(4);
    sender.setLoopback(true);
    sender.setInterface('lo');
    expect(sender.address()).toBeUndefined();
    expect(sender.family).toBeUndefined();

    const { port } = await member.bind(0, group);
    expect(member.address()?.address).toBe(group);
    expect((await sender.bind(0)).port).toBeGreaterThan(0);
    // The queued interface took effect: sent through lo, where the member joined.
    await sender.send('x', { group, port });
    const d = await member.receive({ timeout: 1000 });
    expect(d.data.toString()).toBe('x');
    expect(d.group).toBe(group);
    expect(d.port).toBe(sender.address()?.port);
    // And after bind, options apply at once.
    sender.setTTL(2);
    sender.setInterface(LO);
    await sender.send('y', { group, port });
    expect((await member.receive({ timeout: 1000 })).data.toString()).toBe('y');
  });

  it('receives several groups on one socket bound to the wildcard address', async () => {
    const groups = ['239.77.0.4', '239.77.0.5'];
    const socket = await joinGroup({ group: groups, port: 0, interface: LO });
    open.push(socket);
    expect(socket.address()?.address).toBe('0.0.0.0');
    const port = socket.address()!.port;
    const sender = new MulticastSocket({ interface: LO });
    open.push(sender);
    await sender.send('to four', { group: groups[0]!, port });
    await sender.send('to five', { group: groups[1]!, port });
    const got = [await socket.receive({ timeout: 1000 }), await socket.receive({ timeout: 1000 })];
    expect(got.map((d) => d.data.toString()).sort()).toEqual(['to five', 'to four']);
    // Bound to a wildcard, the socket cannot tell the group (no IP_PKTINFO in node:dgram).
    expect(got.map((d) => d.group)).toEqual([undefined, undefined]);
  });

  it('after leaving, a receiver hears nothing more and can join again', async () => {
    const group = '239.77.0.6';
    const r = await receiver(group);
    const port = r.socket.address()!.port;
    const ask = () => collectReplies({ group, port }, 'anyone?', { interface: LO, timeout: 300 });
    expect((await ask()).replies).toHaveLength(1);
    r.socket.leave(group, { interface: LO });
    expect(r.socket.memberships()).toEqual([]);
    expect((await ask()).replies).toEqual([]);
    r.socket.join(group, { interface: LO });
    expect((await ask()).replies).toHaveLength(1);
    expect(r.stats.received).toBe(2);
  });
});

describe('errors that teach', () => {
  it('refuses an address that is not a group', async () => {
    const socket = new MulticastSocket();
    open.push(socket);
    for (const err of [
      thrownBy(() => socket.join('198.18.0.1')),
      thrownBy(() => socket.join('fd00:198:18::1')),
      await rejectionOf(joinGroup({ group: '127.0.0.1', port: 0 })),
      await rejectionOf(collectReplies({ group: '198.18.0.255', port: 9 }, 'x')),
      await rejectionOf(new MulticastSocket().send('x', { group: '10.0.0.1', port: 9 })),
    ]) {
      expect(err.code).toBe('ERR_MCAST_NOT_A_GROUP');
      expect(err.message).toContain('224.0.0.0 to 239.255.255.255');
    }
    const notIp = thrownBy(() => socket.join('my-group'));
    expect(notIp).toBeInstanceOf(TypeError);
    expect(notIp.message).toContain('group');
  });

  it('names an unknown interface and lists the known ones', () => {
    const err = thrownBy(() => new MulticastSocket().join('239.77.1.1', { interface: 'nk-nope0' }));
    expect(err.code).toBe('ERR_MCAST_UNKNOWN_INTERFACE');
    expect(err.message).toContain('nk-nope0');
    expect(err.message).toContain('lo');
    const byAddress = thrownBy(
      () => new MulticastSocket({ interface: '198.18.250.250', type: 'udp4' }),
    );
    expect(byAddress.code).toBe('ERR_MCAST_UNKNOWN_INTERFACE');
  });

  it('refuses IPv6 groups on lo, which has no MULTICAST flag nor an IPv6 multicast route', () => {
    const err = thrownBy(() => new MulticastSocket().join('ff15::77', { interface: 'lo' }));
    expect(err.code).toBe('ERR_MCAST_INTERFACE_NOT_MULTICAST');
    expect(err.message).toContain('interface lo');
  });

  it('checks source-specific joins: SSM range, source family, unicast source', () => {
    const socket = new MulticastSocket();
    const notSsm = thrownBy(() => socket.join('239.77.1.2', { source: '198.18.0.1' }));
    expect(notSsm.code).toBe('ERR_MCAST_NOT_SOURCE_SPECIFIC');
    expect(notSsm.message).toContain('232.0.0.0/8');
    expect(thrownBy(() => socket.join('232.1.1.1', { source: 'fd00:198:18::1' }))).toBeInstanceOf(
      TypeError,
    );
    expect(thrownBy(() => socket.join('232.1.1.1', { source: '232.1.1.2' })).message).toContain(
      'unicast',
    );
    const v6 = thrownBy(() => new MulticastSocket().join('ff15::1', { source: 'fd00:198:18::1' }));
    expect(v6.code).toBe('ERR_MCAST_NOT_SOURCE_SPECIFIC');
  });

  it('says there is nothing to receive on before a join, bind or send', async () => {
    const fresh = new MulticastSocket();
    expect((await rejectionOf(fresh.receive({ timeout: 10 }))).code).toBe('ERR_MCAST_NOT_BOUND');
    expect((await rejectionOf(fresh.reply('x', { address: LO, port: 9 }))).code).toBe(
      'ERR_MCAST_NOT_BOUND',
    );
    const iterator = fresh[Symbol.asyncIterator]();
    expect((await rejectionOf(iterator.next())).code).toBe('ERR_MCAST_NOT_BOUND');
  });

  it('asks for the interface of a link-local IPv6 group instead of a bare EINVAL', async () => {
    for (const err of [
      await rejectionOf(joinGroup({ group: 'ff02::1', port: 0 })),
      await rejectionOf(createAckReceiver({ group: 'ff02::4242', port: 0, interface: 'all' })),
      // Hop limit 0: even if this send went out, it would never leave the host.
      await rejectionOf(
        new MulticastSocket({ ttl: 0, loopback: false }).send('x', { group: 'ff02::1', port: 9 }),
      ),
    ]) {
      expect(err).toBeInstanceOf(InterfaceRequiredError);
      expect(err.code).toBe('ERR_MCAST_INTERFACE_REQUIRED');
      expect(err.message).toMatch(/^ff02::(1|4242) is link-local \(scope 2\): name the interface/);
    }
    const nodeLocal = await rejectionOf(joinGroup({ group: 'ff01::1', port: 0 }));
    expect(nodeLocal.message).toContain('interface-local (scope 1)');
  });

  it('fails every send on a bad interface, never falling back to the routed one', async () => {
    // TTL 0 and no loopback: had a send gone out, it could not leave this host.
    const socket = new MulticastSocket({ interface: 'nk-nope0', ttl: 0, loopback: false });
    open.push(socket);
    const target = { group: '239.77.1.6', port: 9 };
    for (let i = 0; i < 2; i++) {
      const err = await rejectionOf(socket.send('x', target));
      expect(err.code, `send ${i + 1}`).toBe('ERR_MCAST_UNKNOWN_INTERFACE');
    }
    expect(socket.udp).toBeUndefined();
    expect(socket.family).toBeUndefined();
    const later = new MulticastSocket({ ttl: 0, loopback: false });
    open.push(later);
    later.setInterface('nk-nope0');
    for (let i = 0; i < 2; i++) {
      expect((await rejectionOf(later.send('x', target))).code).toBe('ERR_MCAST_UNKNOWN_INTERFACE');
    }
  });

  it("names no interface for an inherited key such as 'toString' (no TypeError crash)", () => {
    for (const spec of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      const err = thrownBy(() => resolveInterface(spec, 'IPv4'));
      expect(err.code, spec).toBe('ERR_MCAST_UNKNOWN_INTERFACE');
      expect(err.message).toContain(JSON.stringify(spec));
      expect(
        thrownBy(() => new MulticastSocket().join('239.77.1.7', { interface: spec })).code,
      ).toBe('ERR_MCAST_UNKNOWN_INTERFACE');
    }
  });

  it('refuses a receive on a socket joined but never bound, where nothing could arrive', async () => {
    const socket = new MulticastSocket();
    open.push(socket);
    socket.join('239.77.1.8', { interface: LO });
    const pending = socket.receive({ timeout: 60_000 });
    const outcome = await settlesWithin(pending, 1000);
    expect(outcome.settled).toBe(true);
    const err = (outcome as { error?: { code?: string; message?: string } }).error;
    expect(err?.code).toBe('ERR_MCAST_NOT_BOUND');
    expect(err?.message).toContain('bind(port)');
    expect(thrownBy(() => socket.setListener(() => {})).code).toBe('ERR_MCAST_NOT_BOUND');
    await socket.bind(0, '239.77.1.8');
    expect((await rejectionOf(socket.receive({ timeout: 20 }))).code).toBe('ERR_NETKIT_TIMEOUT');
  });

  it('refuses a timeout longer than setTimeout can wait (it would fire at once)', async () => {
    const err = await rejectionOf(
      collectReplies({ group: '239.77.1.9', port: 9 }, 'x', { interface: LO, timeout: 3e9 }),
    );
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toContain('timeout');
    expect(err.message).toContain('2147483647');
  });

  it('validates options up front, naming them', () => {
    expect(thrownBy(() => new MulticastSocket({ ttl: 256 })).message).toContain('ttl');
    expect(thrownBy(() => new MulticastSocket().setTTL(-1))).toBeInstanceOf(RangeError);
    expect(thrownBy(() => new MulticastSocket({ type: 'udp5' as 'udp4' })).message).toContain(
      'type',
    );
    const mixed = new MulticastSocket({ type: 'udp6' });
    expect(thrownBy(() => mixed.join('239.77.1.3')).message).toContain('IPv6');
    const notJoined = thrownBy(() => new MulticastSocket().leave('239.77.1.4'));
    expect(notJoined.code).toBe('ERR_MCAST_NOT_JOINED');
    expect(notJoined.message).toContain('not joined');
    expect(thrownBy(() => new MulticastSocket().setListener(() => {})).code).toBe(
      'ERR_MCAST_NOT_BOUND',
    );
  });

  it('explains EADDRINUSE with a hint about reuseAddr', async () => {
    const holder = createUdpSocket({ type: 'udp4' });
    open.push(holder);
    const { port } = await holder.bind({ port: 0, host: '0.0.0.0' });
    const err = await rejectionOf(
      joinGroup({ group: '239.77.1.5', port, interface: LO, host: '0.0.0.0' }),
    );
    expect(err.code).toBe('EADDRINUSE');
    expect(err.message).toContain('reuseAddr');
  });
});

describe('every wait settles', () => {
  it('times out with no replies when nobody listens', async () => {
    const started = performance.now();
    let sentBytes: number | undefined;
    const result = await collectReplies({ group: '239.77.2.1', port: 9 }, 'x', {
      interface: LO,
      timeout: 150,
      onSent: (bytes) => {
        sentBytes = bytes;
      },
    });
    expect(result).toEqual({ replies: [], reason: 'timeout', sent: 1 });
    expect(sentBytes).toBe(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('rejects with ERR_NETKIT_ABORTED when aborted, before or while collecting', async () => {
    const pre = await rejectionOf(
      collectReplies({ group: '239.77.2.2', port: 9 }, 'x', { signal: AbortSignal.abort() }),
    );
    expect(pre.code).toBe('ERR_NETKIT_ABORTED');
    const controller = new AbortController();
    const pending = collectReplies({ group: '239.77.2.2', port: 9 }, 'x', {
      interface: LO,
      timeout: 60_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const outcome = await settlesWithin(pending, 2000);
    expect(outcome.settled).toBe(true);
    expect((outcome as { error?: { code?: string } }).error?.code).toBe('ERR_NETKIT_ABORTED');
  });

  it('receive() times out, and a signal closes receivers and sockets', async () => {
    const socket = await joinGroup({ group: '239.77.2.3', port: 0, interface: LO });
    open.push(socket);
    expect((await rejectionOf(socket.receive({ timeout: 50 }))).code).toBe('ERR_NETKIT_TIMEOUT');

    const controller = new AbortController();
    const r = await createAckReceiver({
      group: '239.77.2.4',
      port: 0,
      interface: LO,
      signal: controller.signal,
    });
    const s = new MulticastSocket({ signal: controller.signal, type: 'udp4' });
    await s.bind(0);
    controller.abort();
    expect(await waitUntil(() => r.socket.closed && s.closed, 2000)).toBe(true);
    expect(
      thrownBy(() => new MulticastSocket({ signal: controller.signal }).join('239.77.2.5')).code,
    ).toBe('ERR_UDP_SOCKET_CLOSED');
  });

  it('lets go of a long-lived signal when sockets and receivers close', async () => {
    const controller = new AbortController();
    const { signal } = controller;
    for (let i = 0; i < 20; i++) {
      const s = new MulticastSocket({ signal, type: 'udp4' });
      await s.bind(0, LO);
      await s.close();
      const r = await createAckReceiver({ group: '239.77.2.7', port: 0, interface: LO, signal });
      await r.close();
    }
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    // Still wired while open: the signal closes what has not been closed yet.
    const r = await createAckReceiver({ group: '239.77.2.7', port: 0, interface: LO, signal });
    open.push(r);
    expect(getEventListeners(signal, 'abort').length).toBeGreaterThan(0);
    controller.abort();
    expect(await waitUntil(() => r.socket.closed, 2000)).toBe(true);
  });

  it('leaves a socket given by the caller open', async () => {
    const socket = new MulticastSocket({ interface: LO });
    open.push(socket);
    await collectReplies({ group: '239.77.2.6', port: 9 }, 'x', { socket, timeout: 50 });
    expect(socket.closed).toBe(false);
    expect(socket.address()?.port).toBeGreaterThan(0);
  });
});
