/** Real-looking messages to mutate: from dns-packet (uncompressed), from our encoder, and generated. */
import * as dp from 'dns-packet';
import fc from 'fast-check';
import { encode, type ResourceRecord } from '../src/index.js';
import { messageArb } from './arbitraries.js';

const sig = Buffer.alloc(64, 0x5a);

function theirs(): Uint8Array[] {
  const packets: dp.Packet[] = [
    {
      type: 'query',
      id: 1,
      flags: dp.RECURSION_DESIRED,
      questions: [{ type: 'A', name: 'www.example.com' }],
    },
    {
      type: 'response',
      id: 2,
      flags: dp.RECURSION_DESIRED | dp.RECURSION_AVAILABLE,
      questions: [{ type: 'A', name: 'www.example.com' }],
      answers: [1, 2, 3, 4].map(
        (i) =>
          ({ type: 'A', name: 'www.example.com', ttl: 300, data: `192.0.2.${i}` }) as dp.Answer,
      ),
    },
    {
      type: 'response',
      id: 3,
      questions: [{ type: 'MX', name: 'example.com' }],
      answers: [10, 20].map(
        (p) =>
          ({
            type: 'MX',
            name: 'example.com',
            ttl: 3600,
            data: { preference: p, exchange: `mx${p}.example.com` },
          }) as dp.Answer,
      ),
      authorities: [{ type: 'NS', name: 'example.com', ttl: 86400, data: 'ns1.example.com' }],
      additionals: [{ type: 'AAAA', name: 'ns1.example.com', ttl: 86400, data: '2001:db8::53' }],
    },
    {
      type: 'response',
      id: 4,
      flags: dp.AUTHENTIC_DATA,
      questions: [{ type: 'A', name: 'example.com' }],
      answers: [
        { type: 'A', name: 'example.com', ttl: 300, data: '192.0.2.1' },
        {
          type: 'RRSIG',
          name: 'example.com',
          ttl: 300,
          data: {
            typeCovered: 'A',
            algorithm: 13,
            labels: 2,
            originalTTL: 300,
            expiration: 1700000000,
            inception: 1690000000,
            keyTag: 12345,
            signersName: 'example.com',
            signature: sig,
          },
        },
      ],
      authorities: [
        {
          type: 'NSEC',
          name: 'example.com',
          ttl: 300,
          data: {
            nextDomain: 'www.example.com',
            rrtypes: ['A', 'NS', 'SOA', 'RRSIG', 'NSEC', 'DNSKEY'],
          },
        },
        {
          type: 'NSEC3',
          name: 'abc.example.com',
          ttl: 300,
          data: {
            algorithm: 1,
            flags: 0,
            iterations: 0,
            salt: Buffer.alloc(0),
            nextDomain: Buffer.alloc(20, 3),
            rrtypes: ['A', 'RRSIG'],
          },
        },
        {
          type: 'DS',
          name: 'sub.example.com',
          ttl: 300,
          data: { keyTag: 1, algorithm: 13, digestType: 2, digest: Buffer.alloc(32, 9) },
        },
        {
          type: 'DNSKEY',
          name: 'example.com',
          ttl: 300,
          data: { flags: 257, algorithm: 13, key: Buffer.alloc(64, 7) },
        },
      ],
      additionals: [
        {
          type: 'OPT',
          name: '.',
          udpPayloadSize: 1232,
          flags: dp.DNSSEC_OK,
          options: [
            {
              code: 'CLIENT_SUBNET',
              ip: '192.0.2.0',
              sourcePrefixLength: 24,
              scopePrefixLength: 0,
            },
          ],
        } as unknown as dp.Answer,
      ],
    },
    {
      type: 'response',
      id: 5,
      questions: [{ type: 'ANY' as dp.RecordType, name: 'example.org' }],
      answers: [
        {
          type: 'SOA',
          name: 'example.org',
          ttl: 3600,
          data: {
            mname: 'ns.example.org',
            rname: 'hostmaster.example.org',
            serial: 1,
            refresh: 2,
            retry: 3,
            expire: 4,
            minimum: 5,
          },
        },
        { type: 'TXT', name: 'example.org', ttl: 60, data: ['v=spf1 -all', 'second string'] },
        {
          type: 'SRV',
          name: '_sip._udp.example.org',
          ttl: 60,
          data: { priority: 1, weight: 2, port: 5060, target: 'sip.example.org' },
        },
        {
          type: 'CAA',
          name: 'example.org',
          ttl: 60,
          data: { flags: 0, tag: 'issue', value: 'letsencrypt.org' },
        },
        {
          type: 'NAPTR',
          name: 'example.org',
          ttl: 60,
          data: {
            order: 1,
            preference: 2,
            flags: 'S',
            services: 'SIP+D2U',
            regexp: '',
            replacement: '_sip._udp.example.org',
          },
        },
        { type: 'HINFO', name: 'example.org', ttl: 60, data: { cpu: 'RFC8482', os: '' } },
        {
          type: 'TLSA',
          name: '_443._tcp.example.org',
          ttl: 60,
          data: { usage: 3, selector: 1, matchingType: 1, certificate: Buffer.alloc(32, 1) },
        },
        {
          type: 'SSHFP',
          name: 'example.org',
          ttl: 60,
          data: { algorithm: 4, hash: 2, fingerprint: 'ab'.repeat(32) },
        },
        { type: 'PTR', name: '1.2.0.192.in-addr.arpa', ttl: 60, data: 'example.org' },
        { type: 'DNAME', name: 'old.example.org', ttl: 60, data: 'example.net' },
        { type: 'CNAME', name: 'www.example.org', ttl: 60, data: 'example.org' },
      ],
    },
  ];
  return packets.map((p) => new Uint8Array(dp.encode(p)));
}

function ours(): Uint8Array[] {
  const svcb: ResourceRecord = {
    name: 'example.com',
    type: 65,
    class: 1,
    ttl: 300,
    data: {
      priority: 1,
      target: '.',
      params: {
        mandatory: [1],
        alpn: ['h3', 'h2'],
        port: 443,
        ipv4hint: ['192.0.2.1'],
        ech: new Uint8Array(20),
        ipv6hint: ['2001:db8::1'],
      },
    },
  };
  const messages = [
    encode({
      qr: true,
      questions: [{ name: 'www.example.com', type: 65, class: 1 }],
      answers: [svcb, { ...svcb, name: 'www.example.com' }],
      additionals: [
        {
          name: '.',
          type: 41,
          data: {
            udpPayloadSize: 1232,
            version: 0,
            dnssecOk: true,
            z: 0,
            options: [
              { code: 10, client: new Uint8Array(8), server: new Uint8Array(16) },
              { code: 15, infoCode: 18, extraText: 'blocked' },
              { code: 12, length: 8 },
            ],
          },
        },
      ],
    }),
  ];
  for (const m of fc.sample(messageArb, { numRuns: 40, seed: 42 })) messages.push(encode(m));
  return messages;
}

export const corpus: Uint8Array[] = [...theirs(), ...ours()];

/** Where things are in a well-formed message: targets for structure-aware mutations. */
export interface Layout {
  names: number[];
  pointers: number[];
  labels: number[];
  rdlengths: number[];
}

export function layout(b: Uint8Array): Layout {
  const out: Layout = { names: [], pointers: [], labels: [], rdlengths: [] };
  let p = 12;
  const name = () => {
    out.names.push(p);
    for (;;) {
      const len = b[p]!;
      if (len === 0) {
        p++;
        return;
      }
      if (len >= 0xc0) {
        out.pointers.push(p);
        p += 2;
        return;
      }
      out.labels.push(p);
      p += len + 1;
    }
  };
  const counts = [0, 1, 2, 3].map((i) => (b[4 + 2 * i]! << 8) | b[5 + 2 * i]!);
  for (let i = 0; i < counts[0]!; i++) {
    name();
    p += 4;
  }
  const records = counts[1]! + counts[2]! + counts[3]!;
  for (let i = 0; i < records; i++) {
    name();
    out.rdlengths.push(p + 8);
    p += 10 + ((b[p + 8]! << 8) | b[p + 9]!);
  }
  return out;
}
