import * as dp from 'dns-packet';
import { describe, expect, it } from 'vitest';
import {
  decode,
  type EdnsOption,
  encode,
  type RdataCoder,
  RecordClass,
  RecordType,
  type ResourceRecord,
  rdata,
} from '../src/index.js';
import { fromHex, hex, malformed, rdataRoundTrip, roundTrip } from './helpers.js';

/** dns-packet's per-type codecs (exported at runtime, not in @types/dns-packet). */
const packet = dp as unknown as Record<
  string,
  { encode(v: unknown): Buffer; decode(b: Buffer): unknown }
>;

const bytes = (...v: number[]) => new Uint8Array(v);
const seq = (n: number, from = 0) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

interface Case {
  type: keyof typeof rdata;
  ours: unknown;
  /** dns-packet's value for the same RDATA, when dns-packet has the type. */
  theirs?: unknown;
  /** Expected RDATA hex, when known independently of both encoders. */
  wire?: string;
}

const cases: Case[] = [
  { type: 'a', ours: '192.0.2.1', theirs: '192.0.2.1', wire: 'c0000201' },
  { type: 'a', ours: '255.255.255.255', theirs: '255.255.255.255', wire: 'ffffffff' },
  {
    type: 'aaaa',
    ours: '2001:db8::1',
    theirs: '2001:db8::1',
    wire: '20010db8000000000000000000000001',
  },
  { type: 'aaaa', ours: '::ffff:192.0.2.1', theirs: '::ffff:192.0.2.1' },
  { type: 'aaaa', ours: '::', theirs: '::' },
  {
    type: 'ns',
    ours: 'ns1.example.com',
    theirs: 'ns1.example.com',
    wire: '036e7331076578616d706c6503636f6d00',
  },
  { type: 'cname', ours: 'www.example.com', theirs: 'www.example.com' },
  { type: 'ptr', ours: '1.2.0.192.in-addr.arpa', theirs: '1.2.0.192.in-addr.arpa' },
  { type: 'dname', ours: 'example.net', theirs: 'example.net' },
  {
    type: 'soa',
    ours: {
      mname: 'ns.example.com',
      rname: 'hostmaster.example.com',
      serial: 2024010101,
      refresh: 7200,
      retry: 3600,
      expire: 1209600,
      minimum: 3600,
    },
    theirs: {
      mname: 'ns.example.com',
      rname: 'hostmaster.example.com',
      serial: 2024010101,
      refresh: 7200,
      retry: 3600,
      expire: 1209600,
      minimum: 3600,
    },
  },
  {
    type: 'mx',
    ours: { preference: 10, exchange: 'mail.example.com' },
    theirs: { preference: 10, exchange: 'mail.example.com' },
    wire: '000a046d61696c076578616d706c6503636f6d00',
  },
  { type: 'txt', ours: ['v=spf1 -all'], theirs: ['v=spf1 -all'], wire: '0b763d73706631202d616c6c' },
  { type: 'txt', ours: ['a', '', 'héllo'], theirs: ['a', '', 'héllo'] },
  {
    type: 'srv',
    ours: { priority: 10, weight: 60, port: 5060, target: 'sip.example.com' },
    theirs: { priority: 10, weight: 60, port: 5060, target: 'sip.example.com' },
  },
  {
    type: 'caa',
    ours: { flags: 0, tag: 'issue', value: 'letsencrypt.org' },
    theirs: { flags: 0, tag: 'issue', value: 'letsencrypt.org' },
    wire: '000569737375656c657473656e63727970742e6f7267',
  },
  {
    type: 'caa',
    ours: { flags: 128, tag: 'iodef', value: 'mailto:security@example.com' },
    theirs: { flags: 128, tag: 'iodef', value: 'mailto:security@example.com' },
  },
  {
    type: 'naptr',
    ours: {
      order: 100,
      preference: 10,
      flags: 'S',
      services: 'SIP+D2U',
      regexp: '',
      replacement: '_sip._udp.example.com',
    },
    theirs: {
      order: 100,
      preference: 10,
      flags: 'S',
      services: 'SIP+D2U',
      regexp: '',
      replacement: '_sip._udp.example.com',
    },
  },
  {
    type: 'hinfo',
    ours: { cpu: 'INTEL-386', os: 'UNIX' },
    theirs: { cpu: 'INTEL-386', os: 'UNIX' },
  },
  {
    type: 'ds',
    ours: { keyTag: 20326, algorithm: 8, digestType: 2, digest: seq(32) },
    theirs: { keyTag: 20326, algorithm: 8, digestType: 2, digest: Buffer.from(seq(32)) },
  },
  {
    type: 'dnskey',
    ours: { flags: 257, protocol: 3, algorithm: 13, publicKey: seq(64, 7) },
    theirs: { flags: 257, algorithm: 13, key: Buffer.from(seq(64, 7)) },
  },
  {
    type: 'rrsig',
    ours: {
      typeCovered: RecordType.A,
      algorithm: 13,
      labels: 2,
      originalTtl: 300,
      expiration: 1700000000,
      inception: 1690000000,
      keyTag: 12345,
      signerName: 'example.com',
      signature: seq(64, 3),
    },
    theirs: {
      typeCovered: 'A',
      algorithm: 13,
      labels: 2,
      originalTTL: 300,
      expiration: 1700000000,
      inception: 1690000000,
      keyTag: 12345,
      signersName: 'example.com',
      signature: Buffer.from(seq(64, 3)),
    },
  },
  {
    type: 'nsec',
    ours: {
      nextDomainName: 'host.example.com',
      types: [RecordType.A, RecordType.MX, RecordType.RRSIG, RecordType.NSEC, 1234],
    },
    // RFC 4034 4.3's example. (dns-packet cannot write TYPE1234: it writes type 0.)
    wire: `04686f7374076578616d706c6503636f6d00 0006400100000003 041b${'00'.repeat(26)}20`.replace(
      / /g,
      '',
    ),
  },
  {
    type: 'nsec',
    ours: {
      nextDomainName: 'a.example',
      types: [RecordType.NS, RecordType.SOA, RecordType.DNSKEY, RecordType.CAA],
    },
    theirs: { nextDomain: 'a.example', rrtypes: ['NS', 'SOA', 'DNSKEY', 'CAA'] },
  },
  {
    type: 'nsec3',
    ours: {
      hashAlgorithm: 1,
      flags: 1,
      iterations: 12,
      salt: bytes(0xaa, 0xbb, 0xcc, 0xdd),
      nextHashedOwnerName: seq(20, 100),
      types: [RecordType.A, RecordType.RRSIG],
    },
    theirs: {
      algorithm: 1,
      flags: 1,
      iterations: 12,
      salt: Buffer.from([0xaa, 0xbb, 0xcc, 0xdd]),
      nextDomain: Buffer.from(seq(20, 100)),
      rrtypes: ['A', 'RRSIG'],
    },
  },
  {
    type: 'tlsa',
    ours: { usage: 3, selector: 1, matchingType: 1, associationData: seq(32, 9) },
    theirs: { usage: 3, selector: 1, matchingType: 1, certificate: Buffer.from(seq(32, 9)) },
  },
  {
    type: 'sshfp',
    ours: { algorithm: 4, fingerprintType: 2, fingerprint: seq(32, 200) },
    theirs: { algorithm: 4, hash: 2, fingerprint: Buffer.from(seq(32, 200)).toString('hex') },
  },
  {
    type: 'opt',
    ours: [
      { code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, address: '192.0.2.0' },
      { code: 12, length: 5 },
      { code: 3, data: bytes() },
    ],
    theirs: [
      { code: 'CLIENT_SUBNET', ip: '192.0.2.0', sourcePrefixLength: 24, scopePrefixLength: 0 },
      { code: 'PADDING', length: 5 },
      { code: 3, data: Buffer.alloc(0) },
    ],
  },
  {
    type: 'opt',
    ours: [
      {
        code: 8,
        family: 2,
        sourcePrefixLength: 56,
        scopePrefixLength: 48,
        address: '2001:db8:ab:cd00::',
      },
    ],
    theirs: [{ code: 8, ip: '2001:db8:ab:cd00::', sourcePrefixLength: 56, scopePrefixLength: 48 }],
  },
  { type: 'unknown', ours: bytes(1, 2, 3), theirs: Buffer.from([1, 2, 3]) },
];

describe('RDATA codecs against dns-packet', () => {
  it.each(cases.map((c, i) => [`${c.type} #${i}`, c] as const))('%s', (_, c) => {
    const coder = rdata[c.type] as RdataCoder<unknown>;
    const ours = rdataRoundTrip(coder, c.ours);
    if (c.wire !== undefined) expect(hex(ours.subarray(2))).toBe(c.wire);
    if (c.theirs !== undefined) {
      const theirs = packet[c.type]!.encode(c.theirs);
      expect(hex(ours)).toBe(theirs.toString('hex'));
      expect(coder.decode(new Uint8Array(theirs))).toEqual(c.ours);
    }
  });
});

describe('RDATA codecs without dns-packet support', () => {
  it('Extended DNS Error, cookies, unknown options', () => {
    const options = [
      { code: 15, infoCode: 18, extraText: 'blocked by policy' },
      { code: 15, infoCode: 6 },
      { code: 10, client: seq(8) },
      { code: 10, client: seq(8), server: seq(16, 50) },
      { code: 65001, data: bytes(9, 9) },
    ] as EdnsOption[];
    const wire = rdataRoundTrip(rdata.opt, options);
    expect(hex(wire.subarray(2, 8))).toBe('000f00130012');
  });

  it('TXT keeps octets that are not UTF-8 as octets, and a BOM as text', () => {
    rdataRoundTrip(rdata.txt, [bytes(0xff, 0xfe, 0x41), '\ufeffbom', 'ünïcödé']);
  });

  it('TXT splits long text into 255-octet character-strings, between UTF-8 characters', () => {
    const long = 'x'.repeat(600);
    const wire = rdata.txt.encode([long]);
    expect(rdata.txt.decode(wire)).toEqual(['x'.repeat(255), 'x'.repeat(255), 'x'.repeat(90)]);
    const euros = '€'.repeat(100); // 300 octets, 3 per character
    const parts = rdata.txt.decode(rdata.txt.encode([euros])) as string[];
    expect(parts).toEqual(['€'.repeat(85), '€'.repeat(15)]);
    expect(parts.join('')).toBe(euros);
  });

  it('HINFO and NAPTR refuse character-strings over 255 octets', () => {
    expect(() => rdata.hinfo.encode({ cpu: 'x'.repeat(256), os: 'y' })).toThrow(/data.cpu.*255/);
    expect(() =>
      rdata.naptr.encode({
        order: 1,
        preference: 1,
        flags: '',
        services: '',
        regexp: 'é'.repeat(128),
        replacement: '.',
      }),
    ).toThrow(/data.regexp/);
  });

  it('NSEC3 with an empty salt and no types', () => {
    rdataRoundTrip(rdata.nsec3, {
      hashAlgorithm: 1,
      flags: 0,
      iterations: 0,
      salt: bytes(),
      nextHashedOwnerName: seq(20),
      types: [],
    });
  });

  it('type bitmaps sort and deduplicate on encode', () => {
    const wire = rdata.nsec.encode({ nextDomainName: 'a', types: [46, 1, 1, 47, 2] });
    expect(rdata.nsec.decode(wire)).toEqual({ nextDomainName: 'a', types: [1, 2, 46, 47] });
  });

  it('type bitmaps: out-of-order windows, bad lengths and trailing zero octets are malformed', () => {
    const name = '0161 00';
    const bad = [
      '0001 40 0001 40',
      '0000',
      `0021 ${'00'.repeat(33)}`,
      '0002 4000',
      '0101 40 0001 40',
    ];
    for (const bitmap of bad) {
      const body = fromHex(name + bitmap);
      const wire = new Uint8Array(body.length + 2);
      wire[1] = body.length;
      wire.set(body, 2);
      malformed(() => rdata.nsec.decode(wire));
    }
  });
});

/** A message with one record in answers, owner `a.`; RDLENGTH is at offset 23. */
function single(record: ResourceRecord): Uint8Array {
  return encode({ answers: [record] });
}

describe('RDLENGTH must match what the RDATA decoder reads', () => {
  const strict: ResourceRecord[] = [
    { name: 'a', type: 1, class: 1, ttl: 0, data: '192.0.2.1' },
    { name: 'a', type: 28, class: 1, ttl: 0, data: '::1' },
    { name: 'a', type: 2, class: 1, ttl: 0, data: 'ns.b' },
    { name: 'a', type: 15, class: 1, ttl: 0, data: { preference: 1, exchange: 'mx.b' } },
    {
      name: 'a',
      type: 33,
      class: 1,
      ttl: 0,
      data: { priority: 1, weight: 2, port: 3, target: 't.b' },
    },
    { name: 'a', type: 13, class: 1, ttl: 0, data: { cpu: 'c', os: 'o' } },
    {
      name: 'a',
      type: 6,
      class: 1,
      ttl: 0,
      data: { mname: 'm', rname: 'r', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 },
    },
    { name: 'a', type: 39, class: 1, ttl: 0, data: 'd.b' },
    { name: 'a', type: 47, class: 1, ttl: 0, data: { nextDomainName: 'n', types: [1] } },
    {
      name: 'a',
      type: 64,
      class: 1,
      ttl: 0,
      data: { priority: 1, target: '.', params: { port: 443 } },
    },
  ];

  it.each(strict.map((r) => [RecordType.A === r.type ? 'A' : String(r.type), r] as const))(
    'type %s: one octet more or less is malformed',
    (_, record) => {
      const wire = single(record);
      expect(decode(wire).answers[0]).toEqual(record);
      const rdlength = (wire[23]! << 8) | wire[24]!;
      // RDLENGTH one longer, with one more octet of (any) data: left unread.
      for (const extra of [0, 1, 0xc0, 0xff]) {
        const longer = new Uint8Array(wire.length + 1);
        longer.set(wire);
        longer[longer.length - 1] = extra;
        longer[24] = rdlength + 1;
        const err = malformed(() => decode(longer));
        expect(err.message).toMatch(/RDATA|RDLENGTH|octets|name|window|bitmap|SvcParam|string/);
      }
      // RDLENGTH one shorter: the RDATA decoder runs out, or leaves the last octet over.
      const shorter = wire.slice();
      shorter[24] = rdlength - 1;
      malformed(() => decode(shorter));
      // RDLENGTH past the end of the message.
      const past = wire.slice();
      past[24] = rdlength + 5;
      expect(malformed(() => decode(past)).offset).toBe(23);
    },
  );

  it('A with 5 octets of RDATA names the record and offset', () => {
    const wire = fromHex('0000 0000 0000 0001 0000 0000 00 0001 0001 00000000 0005 c0000201 ff');
    const err = malformed(() => decode(wire));
    expect(err.message).toContain('A RDATA ends 1 octets before its RDLENGTH 5');
    expect(err.offset).toBe(27);
  });
});

describe('records inside messages', () => {
  it('every typed record round-trips in a message', () => {
    const answers: ResourceRecord[] = cases
      .filter((c) => c.type !== 'opt' && c.type !== 'unknown')
      .map((c) => ({
        name: 'example.com',
        type: RecordType[c.type.toUpperCase() as 'A'],
        class: RecordClass.IN,
        ttl: 3600,
        data: c.ours as string,
      }));
    answers.push({
      name: 'example.com',
      type: 65280,
      class: RecordClass.IN,
      ttl: 1,
      data: bytes(1, 2),
    });
    answers.push({
      name: 'example.com',
      type: RecordType.NULL,
      class: RecordClass.CH,
      ttl: 1,
      data: bytes(),
    });
    roundTrip({ id: 7, qr: true, answers });
  });

  it('decodes dns-packet messages of every type it has', () => {
    const their = dp.encode({
      type: 'response',
      id: 42,
      flags: dp.AUTHORITATIVE_ANSWER,
      questions: [{ type: 'ANY' as dp.RecordType, name: 'example.com' }],
      answers: cases
        .filter((c) => c.theirs !== undefined && c.type !== 'opt' && c.type !== 'unknown')
        .map(
          (c) =>
            ({
              type: c.type.toUpperCase(),
              name: 'example.com',
              ttl: 60,
              data: c.theirs,
            }) as dp.Answer,
        ),
    });
    const m = decode(new Uint8Array(their));
    expect(m.aa).toBe(true);
    expect(m.answers.map((a) => a.data)).toEqual(
      cases
        .filter((c) => c.theirs !== undefined && c.type !== 'opt' && c.type !== 'unknown')
        .map((c) => c.ours),
    );
    // And dns-packet reads what we write (compressed) the same way.
    const back = dp.decode(Buffer.from(encode(m)));
    expect(back.answers?.map((a) => (a as { type: string }).type)).toEqual(
      (dp.decode(their).answers ?? []).map((a) => (a as { type: string }).type),
    );
  });
});
