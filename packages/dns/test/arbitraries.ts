/** fast-check generators of messages with records of every type, in canonical (decoded) form. */
import fc from 'fast-check';
import {
  type EdnsOption,
  type Message,
  type OptRecord,
  type Question,
  RecordType,
  type ResourceRecord,
  type SvcParams,
} from '../src/index.js';
import { formatIPv6 } from '../src/ip.js';

const enc = new TextEncoder();

/** A label's octets as text, escaped like BIND (written here apart from src/name.ts). */
export function labelText(octets: Uint8Array): string {
  let out = '';
  for (const c of octets) {
    if (c < 0x21 || c > 0x7e) out += `\\${String(c).padStart(3, '0')}`;
    else if ('.\\"();@$'.includes(String.fromCharCode(c))) out += `\\${String.fromCharCode(c)}`;
    else out += String.fromCharCode(c);
  }
  return out;
}

const plainLabel = fc.stringMatching(/^[a-zA-Z0-9_-]{1,12}$/);
const anyLabel = fc.uint8Array({ minLength: 1, maxLength: 63 }).map(labelText);
const label = fc.oneof({ weight: 6, arbitrary: plainLabel }, { weight: 1, arbitrary: anyLabel });

function wireLength(name: string): number {
  if (name === '.') return 1;
  // Count octets: each escape is one octet, each label one length octet.
  let n = 2;
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '\\') {
      i += /[0-9]/.test(name[i + 1]!) ? 3 : 1;
    } else if (c === '.') {
      n++;
      continue;
    }
    n++;
  }
  return n;
}

/** Names drawn from a small tree so that suffixes repeat and compression has work to do. */
export const name: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 1, arbitrary: fc.constant('.') },
    {
      weight: 8,
      arbitrary: fc
        .tuple(
          fc.array(label, { minLength: 0, maxLength: 3 }),
          fc.constantFrom(
            'example.com',
            'example.org',
            'EXAMPLE.com',
            'a.b.example.com',
            'com',
            'net',
          ),
        )
        .map(([labels, base]) => [...labels, base].join('.')),
    },
    {
      weight: 1,
      arbitrary: fc.array(label, { minLength: 1, maxLength: 6 }).map((l) => l.join('.')),
    },
  )
  .filter((n) => wireLength(n) <= 255);

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (max = 40, min = 0) => fc.uint8Array({ minLength: min, maxLength: max });

const ipv4 = fc.tuple(u8, u8, u8, u8).map((b) => b.join('.'));
const ipv6 = bytes(16, 16).map((b) => formatIPv6(b, 0));

/** A character-string as decoded: text when UTF-8 (up to `max` octets), else octets. */
export const text = (max = 255, min = 0): fc.Arbitrary<string | Uint8Array> =>
  fc
    .oneof(
      {
        weight: 4,
        arbitrary: fc.string({
          unit: 'grapheme-ascii',
          minLength: min,
          maxLength: Math.min(max, 60),
        }),
      },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: 20 }) },
      // Octets that are not UTF-8 (0xff never is) stay octets.
      {
        weight: 1,
        arbitrary: bytes(Math.min(max, 40) - 1).map((b) => Uint8Array.from([...b, 0xff])),
      },
    )
    .filter((t) => {
      const n = typeof t === 'string' ? enc.encode(t).length : t.length;
      return n >= min && n <= max;
    });

const types = fc
  .uniqueArray(fc.oneof(fc.integer({ min: 1, max: 300 }), u16), { maxLength: 12 })
  .map((t) => t.sort((a, b) => a - b));

const svcParams: fc.Arbitrary<SvcParams> = fc.record(
  {
    mandatory: fc
      .uniqueArray(fc.integer({ min: 1, max: 0xfffe }), { minLength: 1, maxLength: 4 })
      .map((k) => k.sort((a, b) => a - b)),
    alpn: fc.array(text(255, 1), { minLength: 1, maxLength: 4 }),
    noDefaultAlpn: fc.constant(true),
    port: u16,
    ipv4hint: fc.array(ipv4, { minLength: 1, maxLength: 3 }),
    ech: bytes(40),
    ipv6hint: fc.array(ipv6, { minLength: 1, maxLength: 3 }),
    other: fc
      .uniqueArray(fc.record({ key: fc.integer({ min: 7, max: 0xfffe }), value: bytes(20) }), {
        minLength: 1,
        maxLength: 3,
        selector: (o) => o.key,
      })
      .map((o) => o.sort((a, b) => a.key - b.key)),
  },
  { requiredKeys: [] },
);

/** RDATA by type, canonical. */
const data: Record<number, fc.Arbitrary<unknown>> = {
  [RecordType.A]: ipv4,
  [RecordType.AAAA]: ipv6,
  [RecordType.NS]: name,
  [RecordType.CNAME]: name,
  [RecordType.PTR]: name,
  [RecordType.DNAME]: name,
  [RecordType.SOA]: fc.record({
    mname: name,
    rname: name,
    serial: u32,
    refresh: u32,
    retry: u32,
    expire: u32,
    minimum: u32,
  }),
  [RecordType.MX]: fc.record({ preference: u16, exchange: name }),
  [RecordType.TXT]: fc.array(text(), { minLength: 1, maxLength: 4 }),
  [RecordType.SRV]: fc.record({ priority: u16, weight: u16, port: u16, target: name }),
  [RecordType.CAA]: fc.record({
    flags: u8,
    tag: fc.stringMatching(/^[a-zA-Z0-9]{1,15}$/),
    value: text(1000),
  }),
  [RecordType.NAPTR]: fc.record({
    order: u16,
    preference: u16,
    flags: text(),
    services: text(),
    regexp: text(),
    replacement: name,
  }),
  [RecordType.HINFO]: fc.record({ cpu: text(), os: text() }),
  [RecordType.DS]: fc.record({ keyTag: u16, algorithm: u8, digestType: u8, digest: bytes(48) }),
  [RecordType.DNSKEY]: fc.record({ flags: u16, protocol: u8, algorithm: u8, publicKey: bytes(80) }),
  [RecordType.RRSIG]: fc.record({
    typeCovered: u16,
    algorithm: u8,
    labels: u8,
    originalTtl: u32,
    expiration: u32,
    inception: u32,
    keyTag: u16,
    signerName: name,
    signature: bytes(80),
  }),
  [RecordType.NSEC]: fc.record({ nextDomainName: name, types }),
  [RecordType.NSEC3]: fc.record({
    hashAlgorithm: u8,
    flags: u8,
    iterations: u16,
    salt: bytes(20),
    nextHashedOwnerName: bytes(32, 1),
    types,
  }),
  [RecordType.TLSA]: fc.record({
    usage: u8,
    selector: u8,
    matchingType: u8,
    associationData: bytes(64),
  }),
  [RecordType.SSHFP]: fc.record({ algorithm: u8, fingerprintType: u8, fingerprint: bytes(32) }),
  [RecordType.SVCB]: fc.record({ priority: u16, target: name, params: svcParams }),
  [RecordType.HTTPS]: fc.record({ priority: u16, target: name, params: svcParams }),
};

/** Types with no codec: opaque. */
const unknownType = fc.oneof(
  fc.constantFrom(10, 99, 256, 32769),
  fc.integer({ min: 65280, max: 65535 }),
);

export const record: fc.Arbitrary<ResourceRecord> = fc.oneof(
  ...Object.entries(data).map(([type, arb]) =>
    fc.record({
      name,
      type: fc.constant(Number(type)),
      class: fc.oneof(fc.constant(1), u16),
      ttl: u32,
      data: arb,
    }),
  ),
  fc.record({ name, type: unknownType, class: u16, ttl: u32, data: bytes(50) }),
) as fc.Arbitrary<ResourceRecord>;

const ecs = fc
  .tuple(
    fc.boolean(),
    bytes(16, 16),
    fc.integer({ min: 0, max: 128 }),
    fc.integer({ min: 0, max: 128 }),
  )
  .map(([v4, b, source, scope]) => {
    const max = v4 ? 32 : 128;
    const s = source % (max + 1);
    const addr = new Uint8Array(v4 ? 4 : 16);
    for (let bit = 0; bit < s; bit++)
      if (b[bit >> 3]! & (0x80 >> (bit & 7))) addr[bit >> 3]! |= 0x80 >> (bit & 7);
    return {
      code: 8 as const,
      family: (v4 ? 1 : 2) as 1 | 2,
      sourcePrefixLength: s,
      scopePrefixLength: scope % (max + 1),
      address: v4 ? [...addr].join('.') : formatIPv6(addr, 0),
    };
  });

const ednsOption: fc.Arbitrary<EdnsOption> = fc.oneof(
  ecs,
  fc.record({ code: fc.constant(10 as const), client: bytes(8, 8) }),
  fc.record({ code: fc.constant(10 as const), client: bytes(8, 8), server: bytes(32, 8) }),
  fc.record({ code: fc.constant(12 as const), length: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ code: fc.constant(15 as const), infoCode: u16 }),
  fc.record({ code: fc.constant(15 as const), infoCode: u16, extraText: text(200, 1) }),
  fc.record({ code: u16.filter((c) => ![8, 10, 12, 15].includes(c)), data: bytes(30) }),
);

export const optRecord: fc.Arbitrary<OptRecord> = fc.record({
  name: fc.constant('.'),
  type: fc.constant(RecordType.OPT),
  data: fc.record({
    udpPayloadSize: u16,
    version: u8,
    dnssecOk: fc.boolean(),
    z: fc.integer({ min: 0, max: 0x7fff }),
    options: fc.array(ednsOption, { maxLength: 4 }),
  }),
});

const question: fc.Arbitrary<Question> = fc.record({ name, type: u16, class: u16 });

export const messageArb: fc.Arbitrary<Message> = fc
  .record({
    id: u16,
    qr: fc.boolean(),
    opcode: fc.integer({ min: 0, max: 15 }),
    aa: fc.boolean(),
    tc: fc.boolean(),
    rd: fc.boolean(),
    ra: fc.boolean(),
    z: fc.boolean(),
    ad: fc.boolean(),
    cd: fc.boolean(),
    rcode: fc.integer({ min: 0, max: 0xfff }),
    questions: fc.array(question, { maxLength: 3 }),
    answers: fc.array(record, { maxLength: 6 }),
    authorities: fc.array(record, { maxLength: 3 }),
    additionals: fc.array(record, { maxLength: 3 }),
    opt: fc.option(optRecord, { nil: undefined }),
    optAt: fc.nat(),
  })
  .map(({ opt, optAt, ...m }) => {
    if (opt === undefined) return { ...m, rcode: m.rcode & 0xf };
    const additionals = [...m.additionals];
    additionals.splice(optAt % (additionals.length + 1), 0, opt);
    return { ...m, additionals };
  });
