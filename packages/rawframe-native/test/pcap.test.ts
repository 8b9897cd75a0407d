// netkit's pcap files read by tshark and tcpdump, and pcap files written by them read by netkit.
import { readFile, writeFile } from 'node:fs/promises';
import { run, skipUnless } from '@netkit/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildEthernet,
  buildIcmpv4Echo,
  buildIPv4,
  PcapError,
  PcapWriter,
  parsePcap,
  pcapHeader,
  pcapRecord,
  readPcapFile,
} from '../src/index.js';
import { hex, tcpdumpHex, tsharkFields, tsharkHex, useTempDir } from './tshark.js';

const req = skipUnless(['tshark', 'tcpdump', 'editcap']);
const tempPath = useTempDir();

function frames(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) =>
    buildEthernet({
      dst: '02:00:00:00:00:02',
      src: '02:00:00:00:00:01',
      ethertype: 0x0800,
      payload: buildIPv4({
        src: '198.18.0.1',
        dst: '198.18.0.2',
        protocol: 1,
        payload: buildIcmpv4Echo({ id: 7, sequence: i, data: new Uint8Array(i * 13) }),
      }),
    }),
  );
}

/** 2024-01-02T03:04:05.123456789Z plus i milliseconds, in nanoseconds. */
const T0 = 1_704_164_645_123_456_789n;

describe('pcap codec', () => {
  it('writes and reads back records, microsecond and nanosecond', async () => {
    for (const nanosecond of [false, true]) {
      const path = await tempPath(`rt-${nanosecond}.pcap`);
      await using writer = await PcapWriter.open(path, { nanosecond });
      const list = frames(5);
      for (const [i, f] of list.entries())
        await writer.write(f, { timestamp: T0 + BigInt(i) * 1_000_000n });
      await writer.close();
      const file = await readPcapFile(path);
      expect(file).toMatchObject({ nanosecond, bigEndian: false, linkType: 1, snapLength: 65535 });
      expect(file.records.map((r) => hex(r.data))).toEqual(list.map(hex));
      const t = file.records[0]!.timestamp;
      expect(t).toBe(nanosecond ? T0 : (T0 / 1000n) * 1000n);
    }
  });

  it('cuts frames at the snap length and keeps the original length', () => {
    const [f] = frames(1);
    const file = parsePcap(
      Buffer.concat([pcapHeader({ snapLength: 40 }), pcapRecord(f!, {}, { snapLength: 40 })]),
    );
    expect(file.records[0]!.data.length).toBe(40);
    expect(file.records[0]!.originalLength).toBe(f!.length);
  });

  it('refuses pcapng, garbage and cut files with typed errors', () => {
    const ng = Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, ...new Uint8Array(28));
    expect(() => parsePcap(ng)).toThrow(/pcapng/);
    expect(() => parsePcap(new Uint8Array(10))).toThrow(PcapError);
    const whole = Buffer.concat([pcapHeader(), ...frames(2).map((f) => pcapRecord(f))]);
    let err: unknown;
    try {
      parsePcap(whole.subarray(0, whole.length - 3));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'ERR_PCAP_TRUNCATED' });
    expect(() => parsePcap(Buffer.from('definitely not a capture file'))).toThrow(
      expect.objectContaining({ code: 'ERR_PCAP_INVALID' }),
    );
  });

  it('bounded fuzz: mutated files give PcapError or a parse, nothing else', () => {
    const whole = Buffer.concat([pcapHeader(), ...frames(3).map((f) => pcapRecord(f))]);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(),
        (changes, cut) => {
          const m = Uint8Array.from(whole);
          for (const [at, v] of changes) m[at % m.length] = v;
          try {
            parsePcap(m.subarray(0, cut % (m.length + 1)));
          } catch (e) {
            expect(e).toBeInstanceOf(PcapError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe.skipIf(req.skip)(`pcap files and the real tools${req.note}`, () => {
  it('tshark and tcpdump read netkit files: same count, same bytes, same lengths', async () => {
    const list = frames(20);
    for (const nanosecond of [false, true]) {
      const path = await tempPath(`tools-${nanosecond}.pcap`);
      const writer = await PcapWriter.open(path, { nanosecond });
      for (const [i, f] of list.entries())
        await writer.write(f, { timestamp: T0 + BigInt(i) * 1_000_000n });
      await writer.close();
      expect(await tsharkHex(path)).toEqual(list.map(hex));
      expect(await tcpdumpHex(path)).toEqual(list.map(hex));
      const rows = await tsharkFields(path, ['frame.len', 'frame.time_epoch', 'icmp.seq']);
      expect(rows.map((r) => Number(r[0]))).toEqual(list.map((f) => f.length));
      expect(rows.map((r) => Number(r[2]))).toEqual(list.map((_, i) => i));
      // tshark prints the epoch with nanoseconds: the fraction survives in both precisions.
      expect(rows[0]![1]).toBe(nanosecond ? '1704164645.123456789' : '1704164645.123456000');
    }
  });

  it('a snap length is honoured: tshark sees the captured and the original length', async () => {
    const list = frames(3).map((f) => Uint8Array.from([...f, ...new Uint8Array(100)]));
    const path = await tempPath('snap.pcap');
    const writer = await PcapWriter.open(path, { snapLength: 64 });
    for (const f of list) await writer.write(f);
    await writer.close();
    const rows = await tsharkFields(path, ['frame.len', 'frame.cap_len']);
    expect(rows).toEqual(list.map((f) => [String(f.length), '64']));
  });

  it('netkit reads pcap written by tshark (micro and nano), tcpdump and a big-endian file', async () => {
    const list = frames(10);
    const ours = await tempPath('ours.pcap');
    const writer = await PcapWriter.open(ours);
    for (const [i, f] of list.entries())
      await writer.write(f, { timestamp: T0 + BigInt(i) * 1_000_000n });
    await writer.close();
    const expected = list.map(hex);

    const byTshark = await tempPath('tshark.pcap');
    await run('tshark', ['-r', ours, '-F', 'pcap', '-w', byTshark], {
      check: true,
      timeout: 30_000,
    });
    const byEditcapNano = await tempPath('nano.pcap');
    await run('editcap', ['-F', 'nsecpcap', ours, byEditcapNano], { check: true });
    const byTcpdump = await tempPath('tcpdump.pcap');
    await run('tcpdump', ['-r', ours, '-w', byTcpdump], { check: true });
    for (const [path, nano] of [
      [byTshark, false],
      [byEditcapNano, true],
      [byTcpdump, false],
    ] as const) {
      const file = await readPcapFile(path);
      expect(file.nanosecond, path).toBe(nano);
      expect(
        file.records.map((r) => hex(r.data)),
        path,
      ).toEqual(expected);
      expect(file.records[1]!.timestamp, path).toBe(((T0 + 1_000_000n) / 1000n) * 1000n);
    }

    // Big-endian: every header field byte-swapped. tshark must read it as the same frames.
    const bytes = await readFile(ours);
    const be = Buffer.from(bytes);
    const swap32 = (o: number) => be.writeUInt32BE(bytes.readUInt32LE(o), o);
    const swap16 = (o: number) => be.writeUInt16BE(bytes.readUInt16LE(o), o);
    swap32(0);
    swap16(4);
    swap16(6);
    swap32(16);
    swap32(20);
    for (let o = 24; o < bytes.length; o += 16 + bytes.readUInt32LE(o + 8))
      for (const k of [0, 4, 8, 12]) swap32(o + k);
    const bigEndian = await tempPath('be.pcap');
    await writeFile(bigEndian, be);
    const file = await readPcapFile(bigEndian);
    expect(file.bigEndian).toBe(true);
    expect(file.records.map((r) => hex(r.data))).toEqual(expected);
    expect(await tsharkHex(bigEndian)).toEqual(expected);

    // tshark's default output is pcapng: refused with a hint.
    const ng = await tempPath('ng.pcapng');
    await run('tshark', ['-r', ours, '-w', ng], { check: true, timeout: 30_000 });
    await expect(readPcapFile(ng)).rejects.toThrow(/pcapng.*editcap -F pcap/);
  });
});
