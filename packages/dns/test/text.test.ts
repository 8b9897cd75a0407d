import { describe, expect, it } from 'vitest';
import {
  type OptRecord,
  questionToText,
  RecordClass,
  RecordType,
  type ResourceRecord,
  rdataToText,
  recordToText,
} from '../src/index.js';
import { fromHex } from './helpers.js';

const IN = RecordClass.IN;
const rr = (type: number, data: unknown, name = 'example.com'): ResourceRecord =>
  ({ name, type, class: IN, ttl: 300, data }) as ResourceRecord;

/** Base32hex (RFC 4648 7) to octets, for RFC 5155's examples. */
function base32hex(text: string): Uint8Array {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const c of text.toLowerCase()) {
    acc = (acc << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return new Uint8Array(out);
}

describe('rdataToText matches dig +short', () => {
  const cases: [string, ResourceRecord, string][] = [
    ['A', rr(RecordType.A, '93.184.216.34'), '93.184.216.34'],
    ['AAAA', rr(RecordType.AAAA, '2606:4700::6810:84e5'), '2606:4700::6810:84e5'],
    ['NS', rr(RecordType.NS, 'a.iana-servers.net'), 'a.iana-servers.net.'],
    ['PTR', rr(RecordType.PTR, 'dns.google', '8.8.8.8.in-addr.arpa'), 'dns.google.'],
    [
      'CNAME',
      rr(RecordType.CNAME, 'www.example.com.cdn.cloudflare.net'),
      'www.example.com.cdn.cloudflare.net.',
    ],
    [
      'MX',
      rr(RecordType.MX, { preference: 10, exchange: 'smtp.google.com' }),
      '10 smtp.google.com.',
    ],
    ['null MX (RFC 7505)', rr(RecordType.MX, { preference: 0, exchange: '.' }), '0 .'],
    [
      'SOA',
      rr(RecordType.SOA, {
        mname: 'ns.icann.org',
        rname: 'noc.dns.icann.org',
        serial: 2022091172,
        refresh: 7200,
        retry: 3600,
        expire: 1209600,
        minimum: 3600,
      }),
      'ns.icann.org. noc.dns.icann.org. 2022091172 7200 3600 1209600 3600',
    ],
    ['TXT', rr(RecordType.TXT, ['v=spf1 -all']), '"v=spf1 -all"'],
    [
      'TXT, several strings',
      rr(RecordType.TXT, ['v=DKIM1; k=rsa; ', 'p=MIIB']),
      '"v=DKIM1; k=rsa; " "p=MIIB"',
    ],
    [
      'TXT with quotes and backslashes',
      rr(RecordType.TXT, ['say "hi" \\o/']),
      '"say \\"hi\\" \\\\o/"',
    ],
    ['TXT with UTF-8 and control octets', rr(RecordType.TXT, ['café\t']), '"caf\\195\\169\\009"'],
    ['TXT octets', rr(RecordType.TXT, [new Uint8Array([0, 0xff, 0x41])]), '"\\000\\255A"'],
    ['TXT empty string', rr(RecordType.TXT, ['']), '""'],
    ['HINFO (RFC 8482)', rr(RecordType.HINFO, { cpu: 'RFC8482', os: '' }), '"RFC8482" ""'],
    [
      'CAA',
      rr(RecordType.CAA, { flags: 0, tag: 'issue', value: 'pki.goog' }),
      '0 issue "pki.goog"',
    ],
    [
      'CAA critical iodef',
      rr(RecordType.CAA, { flags: 128, tag: 'iodef', value: 'mailto:x@example.com' }),
      '128 iodef "mailto:x@example.com"',
    ],
    [
      'SRV',
      rr(
        RecordType.SRV,
        { priority: 5, weight: 0, port: 5269, target: 'xmpp-server.l.google.com' },
        '_xmpp-server._tcp.gmail.com',
      ),
      '5 0 5269 xmpp-server.l.google.com.',
    ],
    [
      'NAPTR',
      rr(RecordType.NAPTR, {
        order: 100,
        preference: 10,
        flags: 'S',
        services: 'SIP+D2U',
        regexp: '',
        replacement: '_sip._udp.example.com',
      }),
      '100 10 "S" "SIP+D2U" "" _sip._udp.example.com.',
    ],
    [
      'NAPTR with a regexp',
      rr(RecordType.NAPTR, {
        order: 10,
        preference: 100,
        flags: 'U',
        services: 'E2U+sip',
        regexp: '!^.*$!sip:info@example.com!',
        replacement: '.',
      }),
      '10 100 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .',
    ],
    [
      // .com's DS in the root zone, as `dig +short DS com.` prints it: hex split at 56.
      'DS',
      rr(
        RecordType.DS,
        {
          keyTag: 19718,
          algorithm: 13,
          digestType: 2,
          digest: fromHex('8ACBB0CD28F41250A80A491389424D341522D946B0DA0C0291F2D3D771D7805A'),
        },
        'com',
      ),
      '19718 13 2 8ACBB0CD28F41250A80A491389424D341522D946B0DA0C0291F2D3D7 71D7805A',
    ],
    [
      'DNSKEY, base64 split at 56',
      rr(RecordType.DNSKEY, {
        flags: 256,
        protocol: 3,
        algorithm: 13,
        publicKey: new Uint8Array(64).fill(0xfb),
      }),
      `256 3 13 ${'+/v7'.repeat(14)} ${'+/v7'.repeat(7)}+w==`,
    ],
    [
      'RRSIG',
      rr(RecordType.RRSIG, {
        typeCovered: RecordType.A,
        algorithm: 13,
        labels: 2,
        originalTtl: 300,
        expiration: 1704067200,
        inception: 1701388800,
        keyTag: 12345,
        signerName: 'example.com',
        signature: new Uint8Array([1, 2, 3]),
      }),
      'A 13 2 300 20240101000000 20231201000000 12345 example.com. AQID',
    ],
    [
      'NSEC (RFC 4034 4.3)',
      rr(
        RecordType.NSEC,
        { nextDomainName: 'host.example.com', types: [1, 15, 46, 47, 1234] },
        'alfa.example.com',
      ),
      'host.example.com. A MX RRSIG NSEC TYPE1234',
    ],
    [
      'NSEC3 (RFC 5155 Appendix A)',
      rr(
        RecordType.NSEC3,
        {
          hashAlgorithm: 1,
          flags: 1,
          iterations: 12,
          salt: fromHex('aabbccdd'),
          nextHashedOwnerName: base32hex('2t7b4g4vsa5smi47k61mv5bv1a22bojr'),
          types: [2, 6, 15, 46, 48, 51],
        },
        '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example',
      ),
      '1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR NS SOA MX RRSIG DNSKEY NSEC3PARAM',
    ],
    [
      'NSEC3 without salt',
      rr(RecordType.NSEC3, {
        hashAlgorithm: 1,
        flags: 0,
        iterations: 0,
        salt: new Uint8Array(),
        nextHashedOwnerName: base32hex('2t7b4g4vsa5smi47k61mv5bv1a22bojr'),
        types: [],
      }),
      '1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR',
    ],
    [
      'TLSA',
      rr(
        RecordType.TLSA,
        { usage: 3, selector: 1, matchingType: 1, associationData: new Uint8Array(32).fill(0xab) },
        '_443._tcp.example.com',
      ),
      `3 1 1 ${'AB'.repeat(28)} ${'AB'.repeat(4)}`,
    ],
    [
      'SSHFP',
      rr(RecordType.SSHFP, {
        algorithm: 4,
        fingerprintType: 2,
        fingerprint: new Uint8Array(32).fill(0x0c),
      }),
      `4 2 ${'0C'.repeat(28)} ${'0C'.repeat(4)}`,
    ],
    [
      'HTTPS (as dig prints cloudflare.com)',
      rr(
        RecordType.HTTPS,
        {
          priority: 1,
          target: '.',
          params: {
            alpn: ['h3', 'h2'],
            ipv4hint: ['104.16.132.229', '104.16.133.229'],
            ipv6hint: ['2606:4700::6810:84e5', '2606:4700::6810:85e5'],
          },
        },
        'cloudflare.com',
      ),
      '1 . alpn="h3,h2" ipv4hint=104.16.132.229,104.16.133.229 ipv6hint=2606:4700::6810:84e5,2606:4700::6810:85e5',
    ],
    [
      'SVCB AliasMode',
      rr(RecordType.SVCB, { priority: 0, target: 'svc.example.net', params: {} }),
      '0 svc.example.net.',
    ],
    ['DNAME', rr(RecordType.DNAME, 'example.net'), 'example.net.'],
    // RFC 3597 5's example: "a.example. CLASS32 TYPE731 \# 6 abcd ( ef 01 23 45 )".
    [
      'unknown type (RFC 3597)',
      rr(731, fromHex('abcdef012345'), 'a.example'),
      '\\# 6 ABCDEF012345',
    ],
    ['unknown type, empty', rr(65280, new Uint8Array()), '\\# 0'],
    [
      'unknown type, long',
      rr(65280, new Uint8Array(30).fill(0x11)),
      `\\# 30 ${'11'.repeat(28)} ${'11'.repeat(2)}`,
    ],
  ];
  it.each(cases)('%s', (_, record, text) => {
    expect(rdataToText(record)).toBe(text);
  });

  it('split: 0 turns off word splitting', () => {
    const ds = cases.find((c) => c[0] === 'DS')![1];
    expect(rdataToText(ds, { split: 0 })).toBe(
      '19718 13 2 8ACBB0CD28F41250A80A491389424D341522D946B0DA0C0291F2D3D771D7805A',
    );
  });
});

describe('recordToText', () => {
  it('gives a zone-file line', () => {
    expect(recordToText(rr(RecordType.MX, { preference: 10, exchange: 'mail.example.com' }))).toBe(
      'example.com.\t300\tIN\tMX\t10 mail.example.com.',
    );
    expect(
      recordToText({
        name: '.',
        type: RecordType.NS,
        class: IN,
        ttl: 518400,
        data: 'a.root-servers.net',
      }),
    ).toBe('.\t518400\tIN\tNS\ta.root-servers.net.');
    // RFC 3597 5: class and type without mnemonics.
    expect(
      recordToText({
        name: 'a.example',
        type: 731,
        class: 32,
        ttl: 0,
        data: fromHex('abcdef012345'),
      }),
    ).toBe('a.example.\t0\tCLASS32\tTYPE731\t\\# 6 ABCDEF012345');
    expect(
      recordToText({
        name: 'version.bind',
        type: RecordType.TXT,
        class: RecordClass.CH,
        ttl: 0,
        data: ['9.18.24'],
      }),
    ).toBe('version.bind.\t0\tCH\tTXT\t"9.18.24"');
  });

  it('escapes special octets in names as BIND does', () => {
    expect(recordToText(rr(RecordType.A, '192.0.2.1', 'a\\.b\\032c\\@.example'))).toBe(
      'a\\.b\\032c\\@.example.\t300\tIN\tA\t192.0.2.1',
    );
  });

  it("prints OPT as dig's OPT PSEUDOSECTION", () => {
    const opt: OptRecord = {
      name: '.',
      type: RecordType.OPT,
      data: {
        udpPayloadSize: 1232,
        version: 0,
        dnssecOk: true,
        z: 0,
        options: [
          {
            code: 10,
            client: fromHex('0123456789abcdef'),
            server: fromHex('0100000065a3f2b9e0c1b1d3ffb2d5c3'),
          },
          {
            code: 8,
            family: 1,
            sourcePrefixLength: 24,
            scopePrefixLength: 0,
            address: '192.0.2.0',
          },
          { code: 15, infoCode: 18 },
          { code: 15, infoCode: 22, extraText: 'at delegation example.com.' },
          { code: 3, data: new Uint8Array(Buffer.from('gpdns')) },
          { code: 12, length: 3 },
        ],
      },
    };
    expect(recordToText(opt)).toBe(
      [
        '; EDNS: version: 0, flags: do; udp: 1232',
        '; COOKIE: 0123456789abcdef0100000065a3f2b9e0c1b1d3ffb2d5c3',
        '; CLIENT-SUBNET: 192.0.2.0/24/0',
        '; EDE: 18 (Prohibited)',
        '; EDE: 22 (No Reachable Authority): (at delegation example.com.)',
        '; NSID: 67 70 64 6e 73 ("gpdns")',
        '; PAD: 00 00 00 ("...")',
      ].join('\n'),
    );
    expect(
      recordToText({
        ...opt,
        data: { ...opt.data, dnssecOk: false, z: 1, udpPayloadSize: 512, options: [] },
      }),
    ).toBe('; EDNS: version: 0, flags:; MBZ: 0x0001, udp: 512');
    expect(rdataToText({ ...opt, data: { ...opt.data, options: [{ code: 12, length: 2 }] } })).toBe(
      '\\# 6 000C00020000',
    );
  });

  it('questionToText', () => {
    expect(questionToText({ name: 'example.com', type: RecordType.A, class: IN })).toBe(
      ';example.com.\t\tIN\tA',
    );
  });
});
