// The ready-made servers: echo (byte-identical, 10 MB through) and the seeds' fixed replies.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  connect,
  createEchoServer,
  createReplyServer,
  createServer,
  fixedReplyHandler,
} from '../src/index.js';
import { closeAfterEach, rawConnect, readBytes, receiveUntilClosed, within } from './helpers.js';

const open = closeAfterEach();

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('echo server', () => {
  it('sends back every byte value unchanged', async () => {
    const server = open.server(await createEchoServer());
    const sent = Buffer.from(Array.from({ length: 512 }, (_, i) => (i < 256 ? i : 511 - i)));
    const c = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    await c.end(Buffer.from(sent));
    const back = await c.readAll({ maxBytes: 1024, timeout: 5000 });
    expect([...back]).toEqual([...sent]);
  });

  it('echoes a 10 MB payload intact, sending and receiving at once', async () => {
    const server = open.server(await createEchoServer());
    const payload = randomBytes(10 * 2 ** 20);
    const c = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    const reading = c.readAll({ maxBytes: payload.length, timeout: 30_000 });
    for (let at = 0; at < payload.length; at += 256 * 1024) {
      await c.send(payload.subarray(at, at + 256 * 1024));
    }
    await c.end();
    const back = await within(reading, 30_000, 'the echo');
    expect(back.length).toBe(payload.length);
    expect(sha256(back)).toBe(sha256(payload));
    expect(server.stats).toMatchObject({ accepted: 1, errors: 0 });
  });
});

describe('fixed reply server', () => {
  it('answers each message with "I got your message"', async () => {
    const reply = 'I got your message';
    const server = open.server(await createReplyServer(reply));
    const raw = open.socket(await rawConnect({ host: '127.0.0.1', port: server.port }));
    for (const message of ['hello', 'second message', 'x']) {
      raw.write(message);
      expect((await readBytes(raw, reply.length)).toString()).toBe(reply);
    }
    raw.end();
    const rest = await receiveUntilClosed(raw, 5000);
    expect(rest.data.length).toBe(0);
    expect(rest.ended).toBe(true);
  });

  it('answers each chunk with "Thank you." (fixedReplyHandler on createServer)', async () => {
    const server = open.server(await createServer(fixedReplyHandler(Buffer.from('Thank you.'))));
    const c = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    await c.send('one chunk');
    let answers = '';
    for await (const chunk of c) {
      answers += chunk.toString();
      if (answers.length === 10) break;
    }
    expect(answers).toBe('Thank you.');
    await c.end('last');
    expect((await c.readAll({ maxBytes: 100, timeout: 5000 })).toString()).toBe('Thank you.');
  });

  it('with lines: true, answers once per complete line however the lines arrive', async () => {
    const server = open.server(await createReplyServer('Thank you.\n', { lines: true }));
    const raw = open.socket(await rawConnect({ host: '127.0.0.1', port: server.port }));
    raw.write('a\nb\nc\n'); // three lines in one write
    expect((await readBytes(raw, 33)).toString()).toBe('Thank you.\n'.repeat(3));
    raw.write('split ');
    raw.write('line\n');
    raw.end('unterminated'); // no newline: no reply
    const rest = await receiveUntilClosed(raw, 5000);
    expect(rest.data.toString()).toBe('Thank you.\n');
  });
});
