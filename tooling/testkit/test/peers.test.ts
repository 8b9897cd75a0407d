import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, skipUnless, startNcat, startSocat } from '../src/index.js';

const ncatReq = skipUnless(['ncat']);
const socatReq = skipUnless(['socat']);

function sendUdp(port: number, message: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.send(message, port, '127.0.0.1', (err) => {
      socket.close();
      if (err) reject(err);
      else resolve();
    });
  });
}

describe('freePort', () => {
  it('returns a bindable port for udp and tcp', async () => {
    const udp = await freePort('udp');
    const tcp = await freePort('tcp');
    expect(udp).toBeGreaterThan(0);
    expect(tcp).toBeGreaterThan(0);
  });
});

describe.skipIf(ncatReq.skip)(`ncat${ncatReq.note}`, () => {
  it('listens on UDP 127.0.0.1 and receives a datagram from node:dgram', async () => {
    const ncat = await startNcat({ udp: true, listen: true });
    try {
      await sendUdp(ncat.port, 'hello ncat\n');
      await expect(ncat.waitFor('hello ncat', { stream: 'stdout' })).resolves.toBe('hello ncat');
    } finally {
      await ncat.stop();
    }
  });

  it('listens on TCP and echoes what the client sends back through stdin', async () => {
    const ncat = await startNcat({ listen: true, port: await freePort('tcp') });
    try {
      const received = await new Promise<string>((resolve, reject) => {
        const socket = connect(ncat.port, '127.0.0.1', () => {
          socket.write('from client\n');
          ncat
            .waitFor('from client', { stream: 'stdout' })
            .then(() => ncat.write('from ncat\n'))
            .catch(reject);
        });
        socket.setEncoding('utf8');
        socket.on('data', (data: string) => {
          socket.destroy();
          resolve(data);
        });
        socket.on('error', reject);
      });
      expect(received).toBe('from ncat\n');
    } finally {
      await ncat.stop();
    }
  });

  it('requires host and port to connect', async () => {
    await expect(startNcat({ udp: true })).rejects.toThrow(TypeError);
  });
});

describe.skipIf(socatReq.skip)(`socat${socatReq.note}`, () => {
  it('relays a UDP datagram to stdout', async () => {
    const port = await freePort('udp');
    const socat = startSocat(['-d', '-d', '-u', `UDP4-RECV:${port},bind=127.0.0.1`, 'STDOUT']);
    try {
      await socat.waitFor(/starting data transfer loop|listening on/i, { stream: 'stderr' });
      await sendUdp(port, 'via socat\n');
      await socat.waitFor('via socat', { stream: 'stdout' });
    } finally {
      await socat.stop();
    }
  });
});
