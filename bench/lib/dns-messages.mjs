// The DNS messages the codec benchmark decodes and encodes, built with dns-packet (so both
// libraries read the same bytes), and a canonical form of a decoded message from either library,
// for the check that both decode the same content.
import dnsPacket from 'dns-packet';
import dpClasses from 'dns-packet/classes.js';
import dpOpcodes from 'dns-packet/opcodes.js';
import dpRcodes from 'dns-packet/rcodes.js';
import dpTypes from 'dns-packet/types.js';

// dns-packet keeps the RCODE in `flags` when encoding: QR is set from `type`, the rest from here.
const AA = 1 << 10;
const RD = 1 << 8;
const RA = 1 << 7;
const AD = 1 << 5;
const NXDOMAIN = 3;

const bytes = (n, seed) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

/** The OPT record a resolver answers with (RFC 6891), `dnssecOk` setting the DO bit. */
const opt = (dnssecOk = false, options = []) => ({
  name: '.',
  type: 'OPT',
  udpPayloadSize: 1232,
  extendedRcode: 0,
  ednsVersion: 0,
  flags: dnssecOk ? dnsPacket.DNSSEC_OK : 0,
  options,
});

const rr = (name, type, ttl, data) => ({ name, type, class: 'IN', ttl, data });

/** dns-packet message objects: a realistic mix of answers and one query. */
const SPECS = [
  {
    label: 'A, 4 records',
    message: {
      id: 0x1a2b,
      type: 'response',
      flags: RD | RA,
      questions: [{ name: 'www.example.com', type: 'A', class: 'IN' }],
      answers: ['93.184.215.14', '93.184.215.15', '93.184.216.34', '93.184.216.35'].map((ip) =>
        rr('www.example.com', 'A', 300, ip),
      ),
      additionals: [opt()],
    },
  },
  {
    label: 'AAAA, 2 records',
    message: {
      id: 0x2b3c,
      type: 'response',
      flags: RD | RA,
      questions: [{ name: 'www.example.com', type: 'AAAA', class: 'IN' }],
      answers: ['2606:2800:21f:cb07:6820:80da:af6b:8b2c', '2001:db8:85a3::8a2e:370:7334'].map(
        (ip) => rr('www.example.com', 'AAAA', 300, ip),
      ),
      additionals: [opt()],
    },
  },
  {
    label: 'MX, 3 records',
    message: {
      id: 0x3c4d,
      type: 'response',
      flags: RD | RA,
      questions: [{ name: 'example.com', type: 'MX', class: 'IN' }],
      answers: [
        rr('example.com', 'MX', 3600, { preference: 10, exchange: 'mx1.example.com' }),
        rr('example.com', 'MX', 3600, { preference: 20, exchange: 'mx2.example.com' }),
        rr('example.com', 'MX', 3600, { preference: 30, exchange: 'backup.mail.example.net' }),
      ],
      additionals: [opt()],
    },
  },
  {
    label: 'TXT, 3 records',
    message: {
      id: 0x4d5e,
      type: 'response',
      flags: RD | RA,
      questions: [{ name: 'example.com', type: 'TXT', class: 'IN' }],
      answers: [
        rr('example.com', 'TXT', 3600, [
          Buffer.from('v=spf1 ip4:192.0.2.0/24 include:_spf.example.net ~all'),
        ]),
        rr('example.com', 'TXT', 3600, [
          Buffer.from('google-site-verification=rXOxyZounnZasA8Z7oaD3c14JdjS9aKSWvsR1EbUSIQ'),
        ]),
        rr('example.com', 'TXT', 3600, [
          Buffer.from('part one of a split record,'),
          Buffer.from(' part two of it'),
        ]),
      ],
      additionals: [opt()],
    },
  },
  {
    label: 'CNAME chain + A',
    message: {
      id: 0x5e6f,
      type: 'response',
      flags: RD | RA,
      questions: [{ name: 'www.shop.example.com', type: 'A', class: 'IN' }],
      answers: [
        rr('www.shop.example.com', 'CNAME', 300, 'shop.example.com.cdn.example.net'),
        rr('shop.example.com.cdn.example.net', 'CNAME', 60, 'edge-7.fra.cdn.example.net'),
        rr('edge-7.fra.cdn.example.net', 'A', 20, '198.51.100.7'),
        rr('edge-7.fra.cdn.example.net', 'A', 20, '198.51.100.8'),
      ],
      additionals: [opt()],
    },
  },
  {
    label: 'NXDOMAIN + SOA',
    message: {
      id: 0x6f70,
      type: 'response',
      flags: AA | RD | RA | NXDOMAIN,
      questions: [{ name: 'missing.example.com', type: 'A', class: 'IN' }],
      authorities: [
        rr('example.com', 'SOA', 3600, {
          mname: 'ns1.example.com',
          rname: 'hostmaster.example.com',
          serial: 2024110101,
          refresh: 7200,
          retry: 3600,
          expire: 1209600,
          minimum: 3600,
        }),
      ],
      additionals: [opt()],
    },
  },
  {
    label: 'DNSSEC: A + RRSIG',
    message: {
      id: 0x7081,
      type: 'response',
      flags: RD | RA | AD,
      questions: [{ name: 'example.org', type: 'A', class: 'IN' }],
      answers: [
        rr('example.org', 'A', 3600, '96.7.128.198'),
        rr('example.org', 'A', 3600, '96.7.128.175'),
        rr('example.org', 'RRSIG', 3600, {
          typeCovered: 'A',
          algorithm: 13,
          labels: 2,
          originalTTL: 3600,
          expiration: 1767225600,
          inception: 1764547200,
          keyTag: 23044,
          signersName: 'example.org',
          signature: bytes(64, 7),
        }),
      ],
      additionals: [opt(true)],
    },
  },
  {
    label: 'query + EDNS OPT (cookie)',
    message: {
      id: 0x8192,
      type: 'query',
      flags: RD,
      questions: [{ name: 'www.example.com', type: 'A', class: 'IN' }],
      additionals: [opt(false, [{ code: 10, data: bytes(8, 3) }])],
    },
  },
];

/** [{ label, wire }]: each message encoded once by dns-packet (names uncompressed). */
export function buildMessages() {
  return SPECS.map(({ label, message }) => ({ label, wire: dnsPacket.encode(message) }));
}

// Canonical form: plain JSON-able values, numbers for types, classes and codes, hex for octets.

const hex = (v) =>
  typeof v === 'string' ? Buffer.from(v, 'utf8').toString('hex') : Buffer.from(v).toString('hex');
const trimDot = (name) => (name.length > 1 && name.endsWith('.') ? name.slice(0, -1) : name);

/** IPv6 text as 8 full groups, so two spellings of one address compare equal. */
function fullIPv6(text) {
  const [head, tail = ''] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = text.includes('::')
    ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t]
    : h;
  return groups.map((g) => g.padStart(4, '0').toLowerCase()).join(':');
}

function canonicalMessage(m, records) {
  return {
    ...m,
    answers: m.answers.map(records),
    authorities: m.authorities.map(records),
    additionals: m.additionals.map(records),
  };
}

/** A netkit Message in canonical form. */
export function canonicalNetkit(m) {
  const option = (o) => {
    if (o.code === 10)
      return { code: 10, data: hex(Buffer.concat([o.client, o.server ?? new Uint8Array(0)])) };
    if (o.data) return { code: o.code, data: hex(o.data) };
    return { code: o.code, decoded: o };
  };
  const record = (r) => {
    if (r.type === 41) {
      return {
        name: trimDot(r.name),
        type: 41,
        udpPayloadSize: r.data.udpPayloadSize,
        version: r.data.version,
        dnssecOk: r.data.dnssecOk,
        options: r.data.options.map(option),
      };
    }
    const base = { name: r.name, type: r.type, class: r.class, ttl: r.ttl };
    switch (r.type) {
      case 28:
        return { ...base, data: fullIPv6(r.data) };
      case 16:
        return { ...base, data: r.data.map(hex) };
      case 46:
        return {
          ...base,
          data: { ...r.data, signature: hex(r.data.signature) },
        };
      default:
        return { ...base, data: r.data };
    }
  };
  return canonicalMessage(
    {
      id: m.id,
      qr: m.qr,
      opcode: m.opcode,
      aa: m.aa,
      tc: m.tc,
      rd: m.rd,
      ra: m.ra,
      ad: m.ad,
      cd: m.cd,
      rcode: m.rcode,
      questions: m.questions.map((q) => ({ name: q.name, type: q.type, class: q.class })),
      answers: m.answers,
      authorities: m.authorities,
      additionals: m.additionals,
    },
    record,
  );
}

/** A dns-packet decoded message in canonical form (the same shape as canonicalNetkit's). */
export function canonicalDnsPacket(m) {
  const record = (r) => {
    const type = dpTypes.toType(r.type);
    if (type === 41) {
      return {
        name: trimDot(r.name),
        type: 41,
        udpPayloadSize: r.udpPayloadSize,
        version: r.ednsVersion,
        dnssecOk: r.flag_do,
        options: r.options.map((o) => ({ code: o.code, data: hex(o.data) })),
      };
    }
    const base = { name: r.name, type, class: dpClasses.toClass(r.class), ttl: r.ttl };
    switch (type) {
      case 28:
        return { ...base, data: fullIPv6(r.data) };
      case 16:
        return { ...base, data: r.data.map(hex) };
      case 46: {
        const s = r.data;
        return {
          ...base,
          data: {
            typeCovered: dpTypes.toType(s.typeCovered),
            algorithm: s.algorithm,
            labels: s.labels,
            originalTtl: s.originalTTL,
            expiration: s.expiration,
            inception: s.inception,
            keyTag: s.keyTag,
            signerName: s.signersName,
            signature: hex(s.signature),
          },
        };
      }
      default:
        return { ...base, data: r.data };
    }
  };
  const opt = m.additionals.find((r) => r.type === 'OPT');
  return canonicalMessage(
    {
      id: m.id,
      qr: m.flag_qr,
      opcode: dpOpcodes.toOpcode(m.opcode),
      aa: m.flag_aa,
      tc: m.flag_tc,
      rd: m.flag_rd,
      ra: m.flag_ra,
      ad: m.flag_ad,
      cd: m.flag_cd,
      rcode: ((opt?.extendedRcode ?? 0) << 4) | dpRcodes.toRcode(m.rcode),
      questions: m.questions.map((q) => ({
        name: q.name,
        type: dpTypes.toType(q.type),
        class: dpClasses.toClass(q.class),
      })),
      answers: m.answers,
      authorities: m.authorities,
      additionals: m.additionals,
    },
    record,
  );
}

/** The first path where two canonical values differ, or undefined when they are equal. */
export function firstDifference(a, b, path = '') {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return `${path || '(root)'}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference(a[k], b[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}
