import * as dp from 'dns-packet';
import { describe, expect, it } from 'vitest';
import {
  decode,
  encode,
  type MessageInput,
  RecordClass,
  RecordType,
  type ResourceRecord,
  rdata,
} from '../src/index.js';
import { fromHex, hex, invalid, malformed, roundTrip } from './helpers.js';

const IN = RecordClass.IN;
const header = (qd: number, an = 0, ns = 0, ar = 0) =>
  `0000 0000 ${[qd, an, ns, ar].map((n) => n.toString(16).padStart(4, '0')).join(' ')}`;

describe('compression on encode (RFC 1035 4.1.4)', () => {
  const names = [
    'example.com',
    'www.example.com',
    'mail.example.com',
    'a.b.example.com',
    'b.example.com',
  ];
  const records: ResourceRecord[] = names.flatMap((name, i) => [
    { name, type: RecordType.A, class: IN, ttl: 60, data: `192.0.2.${i}` },
    {
      name,
      type: RecordType.MX,
      class: IN,
      ttl: 60,
      data: { preference: i, exchange: `mx.${name}` },
    },
    {
      name,
      type: RecordType.CNAME,
      class: IN,
      ttl: 60,
      data: `alias.${names[(i + 1) % names.length]}`,
    },
  ]);

  it('makes a message with shared suffixes smaller than uncompressed, and decodes the same', () => {
    const ours = roundTrip({
      questions: [{ name: 'example.com', type: RecordType.ANY, class: IN }],
      answers: records,
    });
    const uncompressed = dp.encode({
      questions: [{ name: 'example.com', type: 'ANY' as dp.RecordType }],
      answers: records.map((r) => ({
        name: r.name,
        type: r.type === 1 ? 'A' : r.type === 15 ? 'MX' : 'CNAME',
        ttl: 60,
        data: r.data,
      })) as dp.Answer[],
    });
    expect(ours.length).toBeLessThan(uncompressed.length * 0.6);
    // dns-packet decompresses it to the same names.
    expect(dp.decode(Buffer.from(ours)).answers?.map((a) => a.name)).toEqual(
      records.map((r) => r.name),
    );
    // And we decode its uncompressed form to the same message.
    expect(decode(new Uint8Array(uncompressed)).answers).toEqual(records);
  });

  it('points owner names at the question name', () => {
    const wire = encode({
      questions: [{ name: 'example.com', type: 1, class: IN }],
      answers: [{ name: 'example.com', type: 1, class: IN, ttl: 1, data: '192.0.2.1' }],
    });
    expect(hex(wire.subarray(29, 31))).toBe('c00c');
  });

  it('keeps each name its own case: a suffix in other case is written again', () => {
    const m: MessageInput = {
      questions: [{ name: 'WwW.ExAmPlE.CoM', type: 1, class: IN }],
      answers: [
        { name: 'www.example.com', type: 1, class: IN, ttl: 1, data: '192.0.2.1' },
        { name: 'WwW.ExAmPlE.CoM', type: 1, class: IN, ttl: 1, data: '192.0.2.2' },
        { name: 'mail.ExAmPlE.CoM', type: 1, class: IN, ttl: 1, data: '192.0.2.3' },
      ],
    };
    const wire = roundTrip(m);
    const text = Buffer.from(wire).toString('latin1');
    expect(text).toContain('\x03www\x07example\x03com\x00');
    expect(text).toContain('\x04mail\xc0'); // mail + pointer to "ExAmPlE.CoM" in the question
  });

  it('accepts a trailing dot and the root as "." or ""', () => {
    const a = encode({ questions: [{ name: 'example.com.', type: 1, class: IN }] });
    const b = encode({ questions: [{ name: 'example.com', type: 1, class: IN }] });
    expect(hex(a)).toBe(hex(b));
    const root = decode(
      encode({
        questions: [
          { name: '', type: 2, class: IN },
          { name: '.', type: 2, class: IN },
        ],
      }),
    );
    expect(root.questions.map((q) => q.name)).toEqual(['.', '.']);
  });

  it('compresses names in NS, CNAME, SOA, PTR and MX RDATA, and not in other types', () => {
    const data: [number, unknown, string][] = [
      [RecordType.NS, 'ns.example.com', 'c0'],
      [RecordType.CNAME, 'x.example.com', 'c0'],
      [RecordType.PTR, 'p.example.com', 'c0'],
      [RecordType.MX, { preference: 1, exchange: 'example.com' }, 'c0'],
      [
        RecordType.SOA,
        {
          mname: 'example.com',
          rname: 'h.example.com',
          serial: 1,
          refresh: 1,
          retry: 1,
          expire: 1,
          minimum: 1,
        },
        'c0',
      ],
      [RecordType.DNAME, 'example.com', '07'],
      [RecordType.SRV, { priority: 1, weight: 1, port: 1, target: 'example.com' }, '07'],
      [
        RecordType.NAPTR,
        {
          order: 1,
          preference: 1,
          flags: '',
          services: '',
          regexp: '',
          replacement: 'example.com',
        },
        '07',
      ],
      [RecordType.NSEC, { nextDomainName: 'example.com', types: [] }, '07'],
      [RecordType.SVCB, { priority: 1, target: 'example.com', params: {} }, '07'],
    ];
    for (const [type, value, expected] of data) {
      const m = {
        questions: [{ name: 'example.com', type, class: IN }],
        answers: [{ name: 'example.com', type, class: IN, ttl: 1, data: value } as ResourceRecord],
      };
      const wire = roundTrip(m);
      const rdataStart = 12 + 17 + 2 + 10;
      const rdataHex = hex(wire.subarray(rdataStart));
      // The name's first octet in RDATA: a pointer (c0) or the label length of "example" (07).
      expect(rdataHex.includes('076578616d706c6503636f6d00')).toBe(expected === '07');
    }
  });

  it('never points past offset 0x3fff', () => {
    const big = 'x'.repeat(255);
    const answers: ResourceRecord[] = [];
    for (let i = 0; i < 70; i++)
      answers.push({ name: 'pad.example', type: RecordType.TXT, class: IN, ttl: 1, data: [big] });
    answers.push({
      name: 'late.name.example',
      type: RecordType.A,
      class: IN,
      ttl: 1,
      data: '192.0.2.1',
    });
    answers.push({
      name: 'late.name.example',
      type: RecordType.A,
      class: IN,
      ttl: 1,
      data: '192.0.2.2',
    });
    const wire = roundTrip({ answers });
    expect(wire.length).toBeGreaterThan(0x4000);
    // The first late name is past 0x3fff: it cannot be a target, so both are written out.
    expect(Buffer.from(wire).toString('latin1').split('\x04late\x04name').length).toBe(3);
  });

  it('escapes octets that are not plain text and round-trips them', () => {
    const names = [
      'a\\.b.example',
      'sp\\032ace.example',
      'bin\\000\\255.example',
      'q\\"\\(\\)\\;\\@\\$\\\\.example',
    ];
    const m = { questions: names.map((name) => ({ name, type: 1, class: IN })) };
    roundTrip(m);
    const wire = encode(m);
    expect(hex(wire.subarray(12, 12 + 13))).toBe('03612e62076578616d706c6500');
    // Other escapes of the same octets are accepted and come back in the canonical form.
    const alt = decode(
      encode({ questions: [{ name: '\\097\\.b.ex\\ample', type: 1, class: IN }] }),
    );
    expect(alt.questions[0]!.name).toBe('a\\.b.example');
  });
});

describe('the encoder refuses names it could not decode', () => {
  const refuse = (name: string, pattern: RegExp) => {
    const err = invalid(() => encode({ questions: [{ name, type: 1, class: IN }] }));
    expect(err.field).toBe('questions[0].name');
    expect(err.message).toMatch(pattern);
  };
  it('labels over 63 octets', () => refuse(`${'a'.repeat(64)}.com`, /label longer than 63/));
  it('names over 255 octets', () => refuse(Array(64).fill('abc').join('.'), /longer than 255/));
  it('names of exactly 255 octets are fine', () => {
    const name = [...Array(3).fill('a'.repeat(63)), 'b'.repeat(61)].join('.');
    roundTrip({ questions: [{ name, type: 1, class: IN }] });
  });
  it('empty labels', () => {
    refuse('a..b', /empty label/);
    refuse('.a', /empty label/);
    refuse('..', /empty label/);
  });
  it('non-ASCII', () => refuse('bücher.example', /punycode/));
  it('bad escapes', () => {
    refuse('a\\25', /three digits/);
    refuse('a\\256', /above 255/);
    refuse('a\\', /lone backslash/);
  });
  it('names that are not strings', () => {
    const err = invalid(() =>
      encode({
        answers: [{ name: 5 as unknown as string, type: 1, class: IN, ttl: 1, data: '1.2.3.4' }],
      }),
    );
    expect(err.field).toBe('answers[0].name');
  });
  it('escaped octets count once toward the limits', () => {
    roundTrip({ questions: [{ name: `${'\\.'.repeat(63)}.x`, type: 1, class: IN }] });
    refuse(`${'\\046'.repeat(64)}.x`, /label longer than 63/);
  });
});

describe('safe decompression', () => {
  const q = (nameHex: string) => fromHex(`${header(1)} ${nameHex} 0001 0001`);

  it('a pointer to itself is malformed', () => {
    const err = malformed(() => decode(q('c00c')));
    expect(err.message).toMatch(/does not point backwards/);
    expect(err.offset).toBe(12);
  });
  it('a pointer forward is malformed', () => {
    malformed(() => decode(fromHex(`${header(1)} c010 0001 0001 0161 00`)));
  });
  it('a pointer into the name being read is malformed', () => {
    malformed(() => decode(q('0161 c00c')));
    malformed(() => decode(q('0161 0162 c00e')));
  });
  it('loops between names are malformed', () => {
    // Two questions whose names point at each other: the first pointer goes forward.
    malformed(() => decode(fromHex(`${header(2)} c012 0001 0001 0161 c00c 0001 0001`)));
    // A name that points back to a name that points back to the first: fine.
    const ok = decode(
      fromHex(`${header(3)} 0161 00 0001 0001 0162 c00c 0001 0001 0163 c013 0001 0001`),
    );
    expect(ok.questions.map((x) => x.name)).toEqual(['a', 'b.a', 'c.b.a']);
  });
  it('a pointer into the middle of a label is followed if it decodes', () => {
    // "ab" at 12: pointing at 13 reads 0x61 (= 97) as a length: 0x40-0xbf is refused.
    malformed(() => decode(fromHex(`${header(2)} 0261 62 00 0001 0001 c00d 0001 0001`)));
  });
  it('labels of 64 octets and more (length octets 0x40-0xbf) are malformed', () => {
    for (const len of [0x40, 0x41, 0x7f, 0x80, 0xbf]) {
      const err = malformed(() => decode(q(`${len.toString(16)} ${'61'.repeat(len)} 00`)));
      expect(err.message).toMatch(/neither a label of at most 63 octets nor a pointer/);
      expect(err.offset).toBe(12);
    }
  });
  it('names over 255 octets are malformed, also when made by pointers', () => {
    const label63 = `3f ${'61'.repeat(63)}`;
    malformed(() => decode(q(`${label63} ${label63} ${label63} 3f ${'62'.repeat(63)} 00`)));
    // 255 exactly decodes.
    decode(q(`${label63} ${label63} ${label63} 3d ${'62'.repeat(61)} 00`));
    // Two names of 193 + 64 octets joined by a pointer: 256.
    const first = `${label63} ${label63} ${label63} 00`; // 193 octets at 12
    const err = malformed(() =>
      decode(fromHex(`${header(2)} ${first} 0001 0001 3f ${'63'.repeat(63)} c00c 0001 0001`)),
    );
    expect(err.message).toMatch(/longer than 255/);
  });
  it('a chain of more than 128 pointers is malformed; 128 is fine', () => {
    const chain = (n: number) => {
      // RDATA of an unknown type holding "a" and then n pointers, each to the one before.
      const parts = ['0161 00'];
      // RDATA starts after the header, the root owner name and TYPE, CLASS, TTL, RDLENGTH.
      const rdataStart = 12 + 1 + 10;
      let prev = rdataStart;
      for (let i = 0; i < n; i++) {
        parts.push((0xc000 | prev).toString(16));
        prev = rdataStart + 3 + 2 * i;
      }
      const body = fromHex(parts.join(''));
      const rdlen = body.length.toString(16).padStart(4, '0');
      // Then a record whose owner is a pointer to the last pointer of the chain.
      return fromHex(
        `${header(0, 2)} 00 ff00 0001 00000000 ${rdlen} ${hex(body)} ${(0xc000 | prev).toString(16)} 0001 0001 00000000 0004 c0000201`,
      );
    };
    expect(decode(chain(127)).answers[1]!.name).toBe('a');
    const err = malformed(() => decode(chain(200)));
    expect(err.message).toMatch(/more than 128 compression pointers/);
  });
  it('a name running past the end, or cut inside a pointer, is malformed', () => {
    malformed(() => decode(fromHex(`${header(1)} 0361 62`)));
    malformed(() => decode(fromHex(`${header(1)} c0`)));
    malformed(() => decode(fromHex(`${header(1)}`)));
  });
  it('names inside RDATA may not run past RDLENGTH', () => {
    // NS with RDLENGTH 2 holding the first 2 octets of "3abc0".
    const err = malformed(() =>
      decode(fromHex(`${header(0, 1)} 00 0002 0001 00000000 0002 0361 6263 00`)),
    );
    expect(err.message).toMatch(/NS name: label runs past the end of the RDATA/);
  });
  it('accepts compression in the RDATA of SRV, NAPTR, RRSIG, NSEC, DNAME and SVCB', () => {
    // Question "example.com" at 12; each record's name field is a pointer to it.
    const ptr = 'c00c';
    const records: [number, string, unknown][] = [
      [
        RecordType.SRV,
        `0001 0002 0003 ${ptr}`,
        { priority: 1, weight: 2, port: 3, target: 'example.com' },
      ],
      [
        RecordType.NAPTR,
        `0001 0002 00 00 00 ${ptr}`,
        {
          order: 1,
          preference: 2,
          flags: '',
          services: '',
          regexp: '',
          replacement: 'example.com',
        },
      ],
      [RecordType.DNAME, ptr, 'example.com'],
      [RecordType.NSEC, `${ptr} 000140`, { nextDomainName: 'example.com', types: [1] }],
      [RecordType.SVCB, `0001 ${ptr}`, { priority: 1, target: 'example.com', params: {} }],
      [
        RecordType.RRSIG,
        `0001 0d 02 0000012c 00000002 00000001 3039 ${ptr} 0102`,
        {
          typeCovered: 1,
          algorithm: 13,
          labels: 2,
          originalTtl: 300,
          expiration: 2,
          inception: 1,
          keyTag: 12345,
          signerName: 'example.com',
          signature: new Uint8Array([1, 2]),
        },
      ],
    ];
    for (const [type, body, data] of records) {
      const b = fromHex(body);
      const wire = fromHex(
        `${header(1, 1)} 076578616d706c6503636f6d00 0001 0001 c00c ${type.toString(16).padStart(4, '0')} 0001 00000001 ${b.length.toString(16).padStart(4, '0')} ${hex(b)}`,
      );
      expect(decode(wire).answers[0]!.data).toEqual(data);
    }
  });
  it('the standalone codecs follow pointers into the buffer they are given', () => {
    const wire = fromHex(`076578616d706c6503636f6d00 0004 000a c000`);
    expect(rdata.mx.decode(wire, 13)).toEqual({ preference: 10, exchange: 'example.com' });
  });
});
