import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decode,
  encode,
  type RdataCoder,
  RecordClass,
  RecordType,
  type ResourceRecord,
  rdata,
  rdataToText,
  recordToText,
  typeToString,
} from '../src/index.js';
import { parseRdata, parseZone } from '../src/zone/index.js';

const IN = RecordClass.IN;
const FIXTURE = new URL('./fixtures/every-type.zone', import.meta.url);
const zoneText = readFileSync(FIXTURE, 'utf8');

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));

/** The types the codec has a presentation format for: the fixture has each on a name of its own. */
const TYPES = [
  'A',
  'AAAA',
  'NS',
  'CNAME',
  'SOA',
  'PTR',
  'MX',
  'TXT',
  'SRV',
  'CAA',
  'NAPTR',
  'DNAME',
  'HINFO',
  'DS',
  'DNSKEY',
  'RRSIG',
  'NSEC',
  'NSEC3',
  'TLSA',
  'SSHFP',
  'SVCB',
  'HTTPS',
] as const;

describe('the every-type fixture', () => {
  const records = parseZone(zoneText, { fileName: 'every-type.zone' });

  it('has a record of every type, each type on a name of its own', () => {
    const present = new Set(records.map((r) => typeToString(r.type)));
    for (const t of TYPES) expect(present, t).toContain(t);
    expect(present).toContain('TYPE65280');
    expect(records).toHaveLength(37);
    expect(records.every((r) => r.class === IN)).toBe(true);
    // Each type has a name of its own, where at most an A (that RRSIG and NSEC describe) or
    // an NS (the delegation a DS belongs to) keeps it company.
    const byName = new Map<string, Set<string>>();
    for (const r of records) {
      const set = byName.get(r.name) ?? new Set();
      set.add(typeToString(r.type));
      byName.set(r.name, set);
    }
    for (const t of TYPES) {
      if (t === 'A' || t === 'NS' || t === 'SOA') continue;
      const owners = records.filter((r) => typeToString(r.type) === t).map((r) => r.name);
      expect(
        owners.some((o) => [...byName.get(o)!].every((x) => x === t || x === 'A' || x === 'NS')),
        `${t} on ${owners.join(', ')}`,
      ).toBe(true);
    }
  });

  it('reads the records as the codec holds them', () => {
    const find = (name: string, type: number) =>
      records.find((r) => r.name === name && r.type === type);
    expect(records[0]).toEqual({
      name: 'test.netkit',
      type: RecordType.SOA,
      class: IN,
      ttl: 3600,
      data: {
        mname: 'ns1.test.netkit',
        rname: 'hostmaster.test.netkit',
        serial: 2025010101,
        refresh: 7200,
        retry: 900,
        expire: 1209600,
        minimum: 300,
      },
    });
    expect(find('cname.test.netkit', RecordType.CNAME)).toMatchObject({
      ttl: 300,
      data: 'a.test.netkit',
    });
    expect(find('words.test.netkit', RecordType.TXT)?.data).toEqual([
      'hello',
      'world',
      'with "quotes" and a ; semicolon',
    ]);
    const dkim = find('dkim._domainkey.test.netkit', RecordType.TXT)?.data as string[];
    expect(dkim).toHaveLength(2);
    expect(dkim.join('').length).toBeGreaterThan(255);
    expect(dkim[0]).toMatch(/^v=DKIM1; k=rsa; p=MIIB/);
    expect(find('naptr.test.netkit', RecordType.NAPTR)?.data).toEqual({
      order: 100,
      preference: 10,
      flags: 'U',
      services: 'E2U+sip',
      regexp: '!^.*$!sip:info@test.netkit!',
      replacement: '.',
    });
    const https = find('https.test.netkit', RecordType.HTTPS)?.data as unknown as {
      params: Record<string, unknown>;
    };
    expect(https).toMatchObject({
      priority: 1,
      target: '.',
      params: {
        alpn: ['h3', 'h2'],
        port: 443,
        ipv4hint: ['192.0.2.100', '192.0.2.101'],
        ipv6hint: ['2001:db8::100'],
      },
    });
    expect((https.params.ech as Uint8Array).length).toBe(70);
    const svcb = find('_dns.svcb.test.netkit', RecordType.SVCB)?.data;
    expect(svcb).toEqual({
      priority: 1,
      target: 'svc.test.netkit',
      params: {
        mandatory: [1, 3],
        alpn: ['dot'],
        port: 853,
        other: [{ key: 65000, value: new TextEncoder().encode('hello') }],
      },
    });
    const dnskey = find('dnskey.test.netkit', RecordType.DNSKEY)?.data as { publicKey: Uint8Array };
    expect(dnskey).toMatchObject({ flags: 256, protocol: 3, algorithm: 8 });
    expect(dnskey.publicKey.length).toBe(260);
    const rrsig = find('signed.test.netkit', RecordType.RRSIG)?.data;
    expect(rrsig).toMatchObject({
      typeCovered: RecordType.A,
      algorithm: 8,
      labels: 3,
      originalTtl: 3600,
      expiration: Date.UTC(2030, 0, 1) / 1000,
      inception: Date.UTC(2025, 0, 1) / 1000,
      signerName: 'test.netkit',
    });
    expect(find('nsec.test.netkit', RecordType.NSEC)?.data).toEqual({
      nextDomainName: 'ns1.test.netkit',
      types: [RecordType.A, RecordType.NSEC],
    });
    expect(
      find('i57mhq1133c26705f4ng0j98775sls92.test.netkit', RecordType.NSEC3)?.data,
    ).toMatchObject({
      hashAlgorithm: 1,
      flags: 1,
      iterations: 0,
      salt: bytes('aabbccdd'),
      types: [RecordType.A, RecordType.RRSIG],
    });
    expect(
      find('m3pu3uebs3tvhf18efm3a17m6rqp704g.test.netkit', RecordType.NSEC3)?.data,
    ).toMatchObject({ salt: new Uint8Array(0) });
    expect(find('sshfp.test.netkit', RecordType.SSHFP)?.data).toMatchObject({
      algorithm: 4,
      fingerprintType: 2,
    });
    expect(find('generic.test.netkit', 65280)?.data).toEqual(bytes('010203040506'));
    // A known type written generically is read into the type's data.
    expect(find('generic-a.test.netkit', RecordType.A)?.data).toBe('192.0.2.2');
  });

  it('round-trips every record through recordToText and parseZone', () => {
    for (const record of records) {
      expect(parseZone(recordToText(record)), recordToText(record)).toEqual([record]);
      expect(parseZone(recordToText(record, { split: 0 }))).toEqual([record]);
      expect(parseRdata(record.type, rdataToText(record))).toEqual(record.data);
    }
  });

  it('round-trips every record through RFC 3597 generic text', () => {
    for (const record of records) {
      const name = typeToString(record.type).toLowerCase();
      const coder = (
        Object.hasOwn(rdata, name) ? rdata[name as keyof typeof rdata] : rdata.unknown
      ) as RdataCoder<unknown>;
      const wire = coder.encode(record.data).subarray(2);
      const generic = `\\# ${wire.length} ${Buffer.from(wire).toString('hex')}`;
      expect(parseRdata(record.type, generic), `${name} ${generic}`).toEqual(record.data);
      expect(parseZone(`${record.name}. ${record.ttl} TYPE${record.type} ${generic}`)).toEqual([
        record,
      ]);
    }
  });

  it('encodes and decodes a message holding all of them', () => {
    const message = { id: 7, qr: true, aa: true, answers: records };
    const decoded = decode(encode(message));
    expect(decoded.answers).toEqual(records);
    expect(encode(decoded)).toEqual(encode(message));
  });
});

describe('directives and names', () => {
  it('completes relative names with $ORIGIN and options.origin; @ is the origin', () => {
    const records = parseZone(
      [
        '@ 60 IN A 192.0.2.1',
        'www 60 IN CNAME @',
        '$ORIGIN sub',
        '@ 60 IN NS ns1',
        'host 60 IN MX 10 mail.other.example.',
        '$ORIGIN absolute.example.',
        'x 60 IN PTR x.y',
      ].join('\n'),
      { origin: 'example.com.' },
    );
    expect(records.map((r) => [r.name, r.data])).toEqual([
      ['example.com', '192.0.2.1'],
      ['www.example.com', 'example.com'],
      ['sub.example.com', 'ns1.sub.example.com'],
      ['host.sub.example.com', { preference: 10, exchange: 'mail.other.example' }],
      ['x.absolute.example', 'x.y.absolute.example'],
    ]);
    // Without the trailing dot the origin option is absolute too; '.' is the root.
    expect(parseZone('a 1 A 192.0.2.1', { origin: 'example.com' })[0]!.name).toBe('a.example.com');
    expect(parseZone('a 1 A 192.0.2.1', { origin: '.' })[0]!.name).toBe('a');
    expect(parseZone('@ 1 NS a.', { origin: '.' })[0]).toMatchObject({ name: '.', data: 'a' });
  });

  it('repeats the previous owner for a line starting with a blank', () => {
    const records = parseZone(
      'www 60 IN A 192.0.2.1\n\t60 IN A 192.0.2.2\n  ; a comment\n   AAAA 2001:db8::1\nmail A 192.0.2.3\n',
      { origin: 'example.com' },
    );
    expect(records.map((r) => r.name)).toEqual([
      'www.example.com',
      'www.example.com',
      'www.example.com',
      'mail.example.com',
    ]);
  });

  it('takes TTL and class in either order, each optional', () => {
    const text = [
      '$TTL 1h30m',
      'a IN 300 A 192.0.2.1',
      'b 301 IN A 192.0.2.2',
      'c IN A 192.0.2.3',
      'd 1w2d A 192.0.2.4',
      'e A 192.0.2.5',
      'f CH TXT "chaos"',
      'g CLASS1 TYPE1 192.0.2.6',
      '$TTL 45',
      'h A 192.0.2.7',
    ].join('\n');
    const records = parseZone(text, { origin: 'example.com' });
    expect(records.map((r) => [r.name.split('.')[0], r.ttl, r.class, r.type])).toEqual([
      ['a', 300, IN, 1],
      ['b', 301, IN, 1],
      ['c', 5400, IN, 1],
      ['d', 9 * 86400, IN, 1],
      ['e', 5400, IN, 1],
      ['f', 5400, RecordClass.CH, 16],
      ['g', 5400, IN, 1],
      ['h', 45, IN, 1],
    ]);
  });

  it('defaults the TTL: options.defaultTtl, else the last TTL given, else 3600', () => {
    const text = 'a A 192.0.2.1\nb 60 A 192.0.2.2\nc A 192.0.2.3\n';
    expect(parseZone(text, { origin: 'x' }).map((r) => r.ttl)).toEqual([3600, 60, 60]);
    expect(parseZone(text, { origin: 'x', defaultTtl: 10 }).map((r) => r.ttl)).toEqual([
      10, 60, 10,
    ]);
    expect(parseZone(`$TTL 5\n${text}`, { origin: 'x', defaultTtl: 10 }).map((r) => r.ttl)).toEqual(
      [5, 60, 5],
    );
  });

  it('reads a multi-line SOA with parentheses and comments', () => {
    const text = `
$ORIGIN example.com.
$TTL 86400
@   IN  SOA ns1.example.com. hostmaster ( ; the primary and the mailbox
        2024061501  ; serial
        2h          ; refresh
        15M         ; retry
        2w          ; expire
        1h )        ; negative caching TTL
    IN  NS  ns1
ns1 IN  A   192.0.2.53 ; glue-like address
`;
    const records = parseZone(text);
    expect(records).toEqual([
      {
        name: 'example.com',
        type: RecordType.SOA,
        class: IN,
        ttl: 86400,
        data: {
          mname: 'ns1.example.com',
          rname: 'hostmaster.example.com',
          serial: 2024061501,
          refresh: 7200,
          retry: 900,
          expire: 1209600,
          minimum: 3600,
        },
      },
      { name: 'example.com', type: RecordType.NS, class: IN, ttl: 86400, data: 'ns1.example.com' },
      { name: 'ns1.example.com', type: RecordType.A, class: IN, ttl: 86400, data: '192.0.2.53' },
    ]);
  });

  it('keeps names in the codec form: escapes, case, no trailing dot', () => {
    const records = parseZone(
      [
        'Www.Example.COM. 1 A 192.0.2.1',
        'a\\.b.example. 1 A 192.0.2.1',
        'a\\046b.example. 1 A 192.0.2.1',
        '\\@\\$x\\032y\\255.example. 1 A 192.0.2.1',
        '*.example. 1 CNAME \\(paren\\).example.',
        '_srv._tcp.example. 1 SRV 0 0 0 .',
      ].join('\n'),
    );
    expect(records.map((r) => r.name)).toEqual([
      'Www.Example.COM',
      'a\\.b.example',
      'a\\.b.example',
      '\\@\\$x\\032y\\255.example',
      '*.example',
      '_srv._tcp.example',
    ]);
    expect(records[4]!.data).toBe('\\(paren\\).example');
    expect(records[5]!.data).toMatchObject({ target: '.' });
    // The names decode the same way from the wire.
    expect(decode(encode({ answers: records })).answers).toEqual(records);
    // A 63-octet label and a 255-octet name are the limits.
    const label = 'x'.repeat(63);
    const long = `${[label, label, label, 'x'.repeat(61)].join('.')}.`;
    expect(parseZone(`${long} 1 A 192.0.2.1`)[0]!.name).toBe(long.slice(0, -1));
  });
});

describe('RDATA', () => {
  const one = (line: string, origin = 'example.com') =>
    parseZone(`x 60 IN ${line}`, { origin })[0]!;

  it('reads quoted strings with \\" \\\\ and \\DDD escapes, and unquoted words', () => {
    expect(
      one('TXT "a \\"quoted\\" \\\\ back" \\065BC plain\\ space "" "\\226\\130\\172"').data,
    ).toEqual(['a "quoted" \\ back', 'ABC', 'plain space', '', '€']);
    // Octets that are not UTF-8 stay octets, as decode gives them.
    expect(one('TXT "\\255\\000"').data).toEqual([Uint8Array.of(255, 0)]);
    expect(one('HINFO "Intel Xeon" Linux').data).toEqual({ cpu: 'Intel Xeon', os: 'Linux' });
    expect(one('TXT "semi;colon (paren)"').data).toEqual(['semi;colon (paren)']);
    expect(one('TXT "ünïcödé"').data).toEqual(['ünïcödé']);
  });

  it('reads CAA with quoted and unquoted values', () => {
    expect(one('CAA 128 issue "ca.example.net; account=230123"').data).toEqual({
      flags: 128,
      tag: 'issue',
      value: 'ca.example.net; account=230123',
    });
    expect(one('CAA 0 issuewild ";"').data).toMatchObject({ value: ';' });
    expect(one('CAA 0 iodef mailto:a@example.com').data).toMatchObject({
      value: 'mailto:a@example.com',
    });
  });

  it('reads base64 and hex split over words and lines', () => {
    expect(one('DNSKEY 257 3 ECDSAP256SHA256 ( AQID\n BAUG )').data).toEqual({
      flags: 257,
      protocol: 3,
      algorithm: 13,
      publicKey: Uint8Array.of(1, 2, 3, 4, 5, 6),
    });
    expect(one('DS 60485 5 1 ( 2BB183AF5F22588179A53B0A\n 98631FAD1A292118 )').data).toEqual({
      keyTag: 60485,
      algorithm: 5,
      digestType: 1,
      digest: bytes('2BB183AF5F22588179A53B0A98631FAD1A292118'),
    });
    expect(one('SSHFP 1 1 dd465c09cfa51fb4 5020cc83316fff21 b9ec74ac').data).toMatchObject({
      fingerprint: bytes('dd465c09cfa51fb45020cc83316fff21b9ec74ac'),
    });
    expect(
      one('TLSA 3 1 1 0C72AC70B745AC19998811B131D662C9 AC69DBDBE7CB23E5B514B56664C5D3D6').data,
    ).toMatchObject({ usage: 3, selector: 1, matchingType: 1 });
  });

  it('reads RRSIG times as YYYYMMDDHHmmSS or seconds', () => {
    const text = (exp: string, inc: string) =>
      `RRSIG A RSASHA256 2 3600 ${exp} ${inc} 2642 example.com. AQID`;
    expect(one(text('20030322173103', '20030220173103')).data).toMatchObject({
      typeCovered: 1,
      algorithm: 8,
      expiration: 1048354263,
      inception: 1045762263,
      signerName: 'example.com',
    });
    expect(one(text('1048354263', '0')).data).toMatchObject({
      expiration: 1048354263,
      inception: 0,
    });
    // Past 2106 the 32-bit field wraps (RFC 4034 3.1.5: serial number arithmetic).
    expect(one(text('21060207062816', '21060207062815')).data).toMatchObject({
      expiration: 0,
      inception: 2 ** 32 - 1,
    });
  });

  it('reads NSEC and NSEC3 type bitmaps by mnemonic and TYPEnnn', () => {
    expect(one('NSEC host.example.com. A MX RRSIG NSEC TYPE1234 CAA').data).toEqual({
      nextDomainName: 'host.example.com',
      types: [1, 15, 46, 47, 257, 1234],
    });
    expect(one('NSEC next').data).toEqual({ nextDomainName: 'next.example.com', types: [] });
    expect(one('NSEC3 1 1 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG').data).toEqual({
      hashAlgorithm: 1,
      flags: 1,
      iterations: 12,
      salt: bytes('aabbccdd'),
      nextHashedOwnerName: bytes('17f3df17b2b2adaef615257de4d2020b80ac6c7c'),
      types: [1, 46],
    });
  });

  it('reads SVCB and HTTPS as RFC 9460 appendix D shows them', () => {
    const rdata = (text: string) => parseRdata(RecordType.SVCB, text, 'example.com');
    expect(rdata('0 foo.example.com.')).toEqual({
      priority: 0,
      target: 'foo.example.com',
      params: {},
    });
    expect(rdata('1 .')).toEqual({ priority: 1, target: '.', params: {} });
    expect(rdata('16 foo.example.com. port=53')).toEqual({
      priority: 16,
      target: 'foo.example.com',
      params: { port: 53 },
    });
    const hello = { key: 667, value: new TextEncoder().encode('hello') };
    expect(rdata('1 foo.example.com. key667=hello')).toMatchObject({ params: { other: [hello] } });
    expect(rdata('1 foo.example.com. key667="hello\\210qoo"')).toMatchObject({
      params: { other: [{ key: 667, value: bytes('68656c6c6fd2716f6f') }] },
    });
    expect(rdata('1 foo.example.com. ( ipv6hint="2001:db8::1,2001:db8::53:1" )')).toMatchObject({
      params: { ipv6hint: ['2001:db8::1', '2001:db8::53:1'] },
    });
    expect(rdata('1 example.com. ( ipv6hint="2001:db8:122:344::192.0.2.33" )')).toMatchObject({
      params: { ipv6hint: ['2001:db8:122:344::c000:221'] },
    });
    const d8 = rdata(
      '16 foo.example.org. ( alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1 )',
    );
    expect(d8).toEqual({
      priority: 16,
      target: 'foo.example.org',
      params: { alpn: ['h2', 'h3-19'], mandatory: [1, 4], ipv4hint: ['192.0.2.1'] },
    });
    // The two levels of escaping of a value-list (RFC 9460 A.1): both forms are one alpn list.
    const d9 = { priority: 16, target: 'foo.example.org', params: { alpn: ['f\\oo,bar', 'h2'] } };
    expect(rdata('16 foo.example.org. alpn="f\\\\\\\\oo\\\\,bar,h2"')).toEqual(d9);
    expect(rdata('16 foo.example.org. alpn=f\\\\\\092oo\\\\\\044bar,h2')).toEqual(d9);
    // ...and the wire forms of D.8 and D.9, octet for octet.
    const rdataHex = (data: unknown) => {
      const m = encode({
        answers: [{ name: '.', type: RecordType.SVCB, class: IN, ttl: 0, data } as ResourceRecord],
      });
      return Buffer.from(m.subarray(12 + 11)).toString('hex');
    };
    expect(rdataHex(d8)).toBe(
      '0010 03666f6f076578616d706c65036f726700 0000000400010004 0001000902683205683 32d3139 00040004c0000201'.replace(
        /\s/g,
        '',
      ),
    );
    expect(rdataHex(d9)).toBe(
      '0010 03666f6f076578616d706c65036f726700 0001000c 08665c6f6f2c626172 026832'.replace(
        /\s/g,
        '',
      ),
    );
    expect(rdata('1 . no-default-alpn alpn=h2 ech="AEj+DQ==" key7=/dns-query{?dns}')).toEqual({
      priority: 1,
      target: '.',
      params: {
        noDefaultAlpn: true,
        alpn: ['h2'],
        ech: bytes('0048fe0d'),
        other: [{ key: 7, value: new TextEncoder().encode('/dns-query{?dns}') }],
      },
    });
    // Newer BIND prints keys 7 and 8 by name; their values are opaque here, as keyNNNNN.
    expect(parseRdata(RecordType.SVCB, '1 . dohpath=/q{?dns} ohttp')).toEqual(
      parseRdata(RecordType.SVCB, '1 . key7="/q{?dns}" key8'),
    );
    expect(parseRdata(RecordType.HTTPS, '1 svc key1=h3 key3=8443', 'example.com')).toEqual({
      priority: 1,
      target: 'svc.example.com',
      params: { alpn: ['h3'], port: 8443 },
    });
  });

  it('reads RFC 3597 generic RDATA for any type, known or not', () => {
    expect(one('TYPE1 \\# 4 0A000001').data).toBe('10.0.0.1');
    expect(one('A \\# 4 0A000001').data).toBe('10.0.0.1');
    expect(one('TYPE731 \\# 6 abcd (\n ef 01 23 45 )').data).toEqual(bytes('abcdef012345'));
    expect(one('TYPE62347 \\# 0').data).toEqual(new Uint8Array(0));
    expect(one('MX \\# 7 000a 0161 0162 00').data).toEqual({ preference: 10, exchange: 'a.b' });
    // Types without a presentation format here take only the generic form.
    expect(one('SPF \\# 4 03616263').data).toEqual(bytes('03616263'));
  });

  it('is the inverse of rdataToText for hand-made records', () => {
    const records: ResourceRecord[] = [
      { name: 'a', type: RecordType.TXT, class: IN, ttl: 1, data: ['x"y\\z', 'tab\there'] },
      {
        name: 'a',
        type: RecordType.CAA,
        class: IN,
        ttl: 1,
        data: { flags: 0, tag: 'issue', value: 'x'.repeat(300) },
      },
      {
        name: 'a',
        type: RecordType.HTTPS,
        class: IN,
        ttl: 1,
        data: {
          priority: 1,
          target: 'x\\.y.example',
          params: {
            alpn: ['a,b', 'c\\d', Uint8Array.of(0xff, 0x2c)],
            other: [
              { key: 9, value: new Uint8Array(0) },
              { key: 300, value: Uint8Array.of(0, 0x22, 0x5c, 0x2c) },
            ],
          },
        },
      },
      { name: 'a', type: 99, class: IN, ttl: 1, data: bytes('0474657374') },
      { name: 'a', type: 10, class: IN, ttl: 1, data: new Uint8Array(0) },
    ];
    for (const record of records) {
      expect(parseRdata(record.type, rdataToText(record))).toEqual(record.data);
      expect(parseZone(recordToText(record))).toEqual([record]);
    }
  });
});
