import { describe, expect, it } from 'vitest';
import {
  decode,
  encode,
  RecordClass,
  RecordType,
  type ResourceRecord,
  rdata,
  rdataToText,
  type SvcbData,
} from '../src/index.js';
import { fromHex, hex, invalid, malformed, rdataRoundTrip } from './helpers.js';

/** RFC 9460 Appendix D.1 and D.2: wire format, the decoded value, and how we print it. */
const vectors: { name: string; wire: string; data: SvcbData; text: string }[] = [
  {
    name: 'D.1 AliasMode',
    wire: '0000 03666f6f076578616d706c6503636f6d00',
    data: { priority: 0, target: 'foo.example.com', params: {} },
    text: '0 foo.example.com.',
  },
  {
    name: 'D.2 use the owner name',
    wire: '0001 00',
    data: { priority: 1, target: '.', params: {} },
    text: '1 .',
  },
  {
    name: 'D.2 only a port',
    wire: '0010 03666f6f076578616d706c6503636f6d00 0003 0002 0035',
    data: { priority: 16, target: 'foo.example.com', params: { port: 53 } },
    text: '16 foo.example.com. port=53',
  },
  {
    name: 'D.2 unregistered key, unquoted value',
    wire: '0001 03666f6f076578616d706c6503636f6d00 029b 0005 68656c6c6f',
    data: {
      priority: 1,
      target: 'foo.example.com',
      params: { other: [{ key: 667, value: new Uint8Array(Buffer.from('hello')) }] },
    },
    text: '1 foo.example.com. key667="hello"',
  },
  {
    name: 'D.2 unregistered key, quoted value with a decimal escape',
    wire: '0001 03666f6f076578616d706c6503636f6d00 029b 0009 68656c6c6fd2716f6f',
    data: {
      priority: 1,
      target: 'foo.example.com',
      params: { other: [{ key: 667, value: fromHex('68656c6c6fd2716f6f') }] },
    },
    text: '1 foo.example.com. key667="hello\\210qoo"',
  },
  {
    name: 'D.2 two IPv6 hints',
    wire:
      '0001 03666f6f076578616d706c6503636f6d00 0006 0020' +
      '20010db8000000000000000000000001 20010db8000000000000000000530001',
    data: {
      priority: 1,
      target: 'foo.example.com',
      params: { ipv6hint: ['2001:db8::1', '2001:db8::53:1'] },
    },
    text: '1 foo.example.com. ipv6hint=2001:db8::1,2001:db8::53:1',
  },
  {
    name: 'D.2 an IPv6 hint written with an embedded IPv4 address',
    wire: '0001 076578616d706c6503636f6d00 0006 0010 20010db8ffffffffffffffffc6336464',
    data: {
      priority: 1,
      target: 'example.com',
      params: { ipv6hint: ['2001:db8:ffff:ffff:ffff:ffff:c633:6464'] },
    },
    text: '1 example.com. ipv6hint=2001:db8:ffff:ffff:ffff:ffff:c633:6464',
  },
  {
    name: 'D.2 mandatory, alpn, ipv4hint (sorted on the wire)',
    wire:
      '0010 03666f6f076578616d706c65036f726700 0000 0004 0001 0004' +
      '0001 0009 02 6832 05 68332d3139 0004 0004 c0000201',
    data: {
      priority: 16,
      target: 'foo.example.org',
      params: { mandatory: [1, 4], alpn: ['h2', 'h3-19'], ipv4hint: ['192.0.2.1'] },
    },
    text: '16 foo.example.org. mandatory=alpn,ipv4hint alpn="h2,h3-19" ipv4hint=192.0.2.1',
  },
  {
    name: 'D.2 alpn with an escaped comma and backslash',
    wire: '0010 03666f6f076578616d706c65036f726700 0001 000c 08 665c6f6f2c626172 02 6832',
    data: { priority: 16, target: 'foo.example.org', params: { alpn: ['f\\oo,bar', 'h2'] } },
    text: '16 foo.example.org. alpn="f\\\\\\\\oo\\\\,bar,h2"',
  },
];

describe('SVCB and HTTPS: RFC 9460 Appendix D vectors', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_, v) => {
    const rdataWire = fromHex(v.wire);
    for (const [coder, type] of [
      [rdata.svcb, RecordType.SVCB],
      [rdata.https, RecordType.HTTPS],
    ] as const) {
      const withLength = rdataRoundTrip(coder, v.data);
      expect(hex(withLength.subarray(2))).toBe(hex(rdataWire));
      const record = {
        name: 'example.com',
        type,
        class: RecordClass.IN,
        ttl: 300,
        data: v.data,
      } as ResourceRecord;
      expect(rdataToText(record)).toBe(v.text);
      expect(decode(encode({ answers: [record] })).answers[0]).toEqual(record);
    }
  });

  it('the alpn text matches the RFC presentation f\\\\\\\\oo\\\\,bar', () => {
    // RFC 9460 D.2: alpn="f\\\\oo\\,bar,h2" for the ids `f\oo,bar` and `h2`.
    expect(vectors[8]!.text).toBe('16 foo.example.org. alpn="f\\\\\\\\oo\\\\,bar,h2"');
    expect(vectors[8]!.text.slice(vectors[8]!.text.indexOf('alpn'))).toBe(
      String.raw`alpn="f\\\\oo\\,bar,h2"`,
    );
  });

  it('all keys together, in any property order, are written in key order', () => {
    const data: SvcbData = {
      priority: 1,
      target: 'svc.example',
      params: {
        other: [
          { key: 9, value: new Uint8Array([2]) },
          { key: 7, value: new Uint8Array([1]) },
        ],
        ipv6hint: ['2001:db8::2'],
        ech: new Uint8Array([0xfe, 0x0d]),
        ipv4hint: ['192.0.2.2', '192.0.2.3'],
        port: 8443,
        noDefaultAlpn: true,
        alpn: ['h3'],
        mandatory: [3, 1],
      },
    };
    const wire = rdata.svcb.encode(data);
    const keys: number[] = [];
    let p = 2 + 2 + 13;
    while (p < wire.length) {
      keys.push((wire[p]! << 8) | wire[p + 1]!);
      p += 4 + ((wire[p + 2]! << 8) | wire[p + 3]!);
    }
    expect(keys).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 9]);
    const back = rdata.svcb.decode(wire);
    expect(back.params.mandatory).toEqual([1, 3]);
    expect(back.params.other).toEqual([
      { key: 7, value: new Uint8Array([1]) },
      { key: 9, value: new Uint8Array([2]) },
    ]);
    expect(rdataToText({ name: 'a', type: RecordType.HTTPS, class: 1, ttl: 1, data: back })).toBe(
      '1 svc.example. mandatory=alpn,port alpn="h3" no-default-alpn port=8443 ' +
        'ipv4hint=192.0.2.2,192.0.2.3 ech=/g0= ipv6hint=2001:db8::2 key7="\\001" key9="\\002"',
    );
  });
});

describe('SVCB wire-format failures are malformed (RFC 9460 2.2)', () => {
  const target = '00'; // root
  const bad: [string, string][] = [
    ['keys out of order (unbound vector v21)', `0001 ${target} 0003 0002 1e61 0001 0003 026833`],
    ['truncated SvcParam (unbound vector v22)', `0001 ${target} 0003 0002 1e`],
    ['a key twice', `0001 ${target} 0003 0002 0035 0003 0002 0035`],
    ['no-default-alpn with a value', `0001 ${target} 0002 0001 61`],
    ['mandatory listing itself', `0001 ${target} 0000 0002 0000`],
    ['mandatory not ascending', `0001 ${target} 0000 0004 0004 0001`],
    ['mandatory empty', `0001 ${target} 0000 0000`],
    ['mandatory of odd length', `0001 ${target} 0000 0003 000100`],
    ['alpn empty', `0001 ${target} 0001 0000`],
    ['alpn with an empty id', `0001 ${target} 0001 0001 00`],
    ['alpn id past its value', `0001 ${target} 0001 0002 0561`],
    ['port of 3 octets', `0001 ${target} 0003 0003 000035`],
    ['ipv4hint of 5 octets', `0001 ${target} 0004 0005 c000020100`],
    ['ipv4hint empty', `0001 ${target} 0004 0000`],
    ['ipv6hint of 15 octets', `0001 ${target} 0006 000f ${'00'.repeat(15)}`],
    ['key 65535', `0001 ${target} ffff 0000`],
    ['a key with its length cut', `0001 ${target} 0003 00`],
  ];
  it.each(bad)('%s', (_, body) => {
    const b = fromHex(body);
    const wire = new Uint8Array(b.length + 2);
    wire[1] = b.length;
    wire.set(b, 2);
    malformed(() => rdata.svcb.decode(wire));
  });
});

describe('SVCB values the encoder refuses', () => {
  const base = { priority: 1, target: '.' };
  const cases: [string, SvcbData['params'], RegExp][] = [
    ['mandatory listing itself', { mandatory: [0] }, /mandatory.*key 0/],
    ['mandatory twice', { mandatory: [1, 1], alpn: ['h2'] }, /twice/],
    ['empty alpn', { alpn: [] }, /at least one/],
    ['empty alpn-id', { alpn: [''] }, /alpn\[0\].*1-255/],
    ['long alpn-id', { alpn: ['x'.repeat(256)] }, /1-255/],
    ['bad ipv4hint', { ipv4hint: ['192.0.2.256'] }, /ipv4hint\[0\]/],
    ['bad ipv6hint', { ipv6hint: ['1.2.3.4'] }, /ipv6hint\[0\]/],
    ['port out of range', { port: 65536 }, /params.port/],
    ['a named key in other', { other: [{ key: 1, value: new Uint8Array() }] }, /own field/],
    ['key 65535', { other: [{ key: 65535, value: new Uint8Array() }] }, /reserved/],
    [
      'duplicate other keys',
      {
        other: [
          { key: 8, value: new Uint8Array() },
          { key: 8, value: new Uint8Array() },
        ],
      },
      /twice/,
    ],
  ];
  it.each(cases)('%s', (_, params, message) => {
    const err = invalid(() => rdata.svcb.encode({ ...base, params }));
    expect(err.message).toMatch(message);
  });
});
