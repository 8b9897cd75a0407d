import { describe, expect, it } from 'vitest';
import { DnsError, RecordType } from '../src/index.js';
import { DnsZoneError, parseRdata, parseZone, type ZoneOptions } from '../src/zone/index.js';

function zoneError(text: string, options: ZoneOptions = { origin: 'example.com' }): DnsZoneError {
  try {
    parseZone(text, options);
  } catch (e) {
    expect(e).toBeInstanceOf(DnsZoneError);
    expect(e).toBeInstanceOf(DnsError);
    const error = e as DnsZoneError;
    expect(error.code).toBe('ERR_DNS_ZONE');
    expect(error.name).toBe('DnsZoneError');
    return error;
  }
  throw new Error(`parsed without an error: ${text}`);
}

/** The line and reason of the error a one-record zone at line 3 raises. */
function atLine3(record: string, options?: ZoneOptions): [number, string] {
  const e = zoneError(`$TTL 60\nok A 192.0.2.1\n${record}\nlater A 192.0.2.2\n`, options);
  return [e.line, e.reason];
}

describe('zone errors name the file, the line and what is wrong', () => {
  it('formats the message as file:line: reason', () => {
    const e = zoneError('a A 192.0.2.1\nb FOO 1\n', { origin: 'x', fileName: 'db.example' });
    expect(e.message).toBe('db.example:2: unknown type "FOO"');
    expect(e.line).toBe(2);
    expect(e.fileName).toBe('db.example');
    expect(e.reason).toBe('unknown type "FOO"');
    expect(zoneError('b FOO 1', { origin: 'x' }).message).toBe('line 1: unknown type "FOO"');
  });

  it('refuses unknown types, meta types and OPT', () => {
    expect(atLine3('www IN BOGUS 1')).toEqual([3, 'unknown type "BOGUS"']);
    expect(atLine3('www 1x A 192.0.2.1')[1]).toMatch(/"1x" is not a TTL/);
    expect(atLine3('www TYPE255 \\# 0')[1]).toMatch(/ANY is not a type of record a zone holds/);
    expect(atLine3('www TYPE41 \\# 0')[1]).toMatch(/OPT is not a type/);
    expect(atLine3('www SPF "v=spf1 -all"')[1]).toMatch(
      /SPF has no presentation format here: write its RDATA as \\# LENGTH HEX/,
    );
    expect(atLine3('www 60 IN')).toEqual([3, 'missing the record type']);
  });

  it('refuses bad addresses', () => {
    expect(atLine3('a A 192.0.2.256')).toEqual([3, 'A: "192.0.2.256" is not an IPv4 address']);
    expect(atLine3('a A 192.0.2')[1]).toMatch(/not an IPv4 address/);
    expect(atLine3('a A 2001:db8::1')[1]).toMatch(/not an IPv4 address/);
    expect(atLine3('a AAAA 2001:db8::g')).toEqual([
      3,
      'AAAA: "2001:db8::g" is not an IPv6 address',
    ]);
    expect(atLine3('a HTTPS 1 . ipv4hint=192.0.2.1,300.0.0.1')[1]).toMatch(
      /HTTPS SvcParam: "300.0.0.1" is not an IPv4 address/,
    );
  });

  it('refuses relative names and @ without an origin', () => {
    const none = {};
    expect(atLine3('www A 192.0.2.1', none)[0]).toBe(2); // "ok" on line 2 is relative already
    expect(zoneError('www. 60 A 192.0.2.1\nwww 60 A 192.0.2.1', none).reason).toBe(
      'owner: relative name "www" but there is no origin ($ORIGIN or options.origin)',
    );
    expect(zoneError('@ 60 A 192.0.2.1', none).reason).toMatch(/'@' but there is no origin/);
    expect(zoneError('a. 60 CNAME b', none).reason).toBe(
      'CNAME name: relative name "b" but there is no origin ($ORIGIN or options.origin)',
    );
    expect(zoneError('a. 60 MX 10 @', none).reason).toMatch(
      /MX exchange: '@' but there is no origin/,
    );
    expect(zoneError('$ORIGIN sub\n', none).reason).toMatch(/\$ORIGIN: relative name "sub"/);
  });

  it('refuses unbalanced parentheses, naming the line of the parenthesis', () => {
    const open = zoneError('a A 192.0.2.1\n@ SOA ns hm (\n 1 2 3 4 5\nb A 192.0.2.2\n');
    expect([open.line, open.reason]).toEqual([2, "'(' is never closed by a ')'"]);
    expect(atLine3('b A 192.0.2.2 )')).toEqual([3, "')' without a matching '('"]);
    expect(atLine3('@ SOA ns hm ( 1 2 3 4 5 ) )')).toEqual([3, "')' without a matching '('"]);
  });

  it('refuses labels over 63 octets and names over 255', () => {
    const label = 'x'.repeat(64);
    expect(atLine3(`${label} A 192.0.2.1`)[1]).toMatch(
      /^owner: name "x{60}\.\.\." has a label longer than 63 octets$/,
    );
    expect(atLine3(`a CNAME ${'\\120'.repeat(64)}.`)[1]).toMatch(/label longer than 63 octets/);
    const long = Array.from({ length: 5 }, () => 'y'.repeat(60)).join('.');
    expect(atLine3(`${long}. A 192.0.2.1`)[1]).toMatch(/is 306 octets, longer than 255/);
    // The origin counts: 4 x 61 + 4 + "example.com" (13) is 261.
    const rel = Array.from({ length: 4 }, () => 'z'.repeat(60)).join('.');
    expect(atLine3(`${rel} A 192.0.2.1`)[1]).toMatch(/is 257 octets, longer than 255/);
    expect(atLine3('a..b A 192.0.2.1')[1]).toMatch(/has an empty label/);
    expect(atLine3('a\\256 A 192.0.2.1')[1]).toMatch(/has an escape \\256 above 255/);
  });

  it('refuses bad strings', () => {
    expect(atLine3('t TXT "not closed')).toEqual([3, 'quoted string is not closed on its line']);
    expect(atLine3(`t TXT "${'x'.repeat(256)}"`)[1]).toMatch(
      /TXT string: is 256 octets, more than 255/,
    );
    expect(atLine3('t TXT "a\\12"')[1]).toMatch(/\\DDD escape without three digits/);
    expect(atLine3('t TXT')).toEqual([3, 'TXT: needs at least one string']);
    expect(atLine3('t HINFO "one"')).toEqual([3, 'HINFO: missing OS']);
    expect(atLine3('t CAA 0 is-sue "x"')[1]).toMatch(
      /CAA tag: "is-sue" is not 1-255 letters and digits/,
    );
    expect(atLine3('t TXT a\\')[1]).toMatch(/backslash at the end of a line/);
  });

  it('refuses missing, extra and out-of-range fields', () => {
    expect(atLine3('m MX 10')).toEqual([3, 'MX: missing exchange']);
    expect(atLine3('m MX 65536 mail')).toEqual([
      3,
      'MX preference: "65536" is not a number 0-65535',
    ]);
    expect(atLine3('m MX -1 mail')[1]).toMatch(/"-1" is not a number/);
    expect(atLine3('m A 192.0.2.1 extra')).toEqual([3, 'A: unexpected "extra" after the RDATA']);
    expect(atLine3('s SRV 1 2 3')).toEqual([3, 'SRV: missing target']);
    expect(atLine3('@ SOA ns hm 1 2 3 4')).toEqual([3, 'SOA: missing MINIMUM']);
    expect(atLine3('@ SOA ns hm 4294967296 2 3 4 5')[1]).toMatch(
      /SERIAL: "4294967296" is not a number/,
    );
    expect(atLine3('@ SOA ns hm 1 2 3 4 1y')[1]).toMatch(
      /MINIMUM: "1y" is not a number of seconds/,
    );
  });

  it('refuses bad hex, base64, base32hex and times', () => {
    expect(atLine3('d DS 1 8 2 ABC')[1]).toMatch(
      /DS digest: "ABC" is not an even number of hex digits/,
    );
    expect(atLine3('k DNSKEY 256 3 8 AwEA!')[1]).toMatch(
      /DNSKEY public key: "AwEA!" is not base64/,
    );
    expect(atLine3('k DNSKEY 256 3 8 AwE')[1]).toMatch(/is not base64/);
    expect(atLine3('n NSEC3 1 0 0 - 0Z A')[1]).toMatch(/"0Z" is not base32hex/);
    expect(atLine3('n NSEC3 1 0 0 XYZ 00 A')[1]).toMatch(/NSEC3 salt: "XYZ" is not hex/);
    expect(atLine3('n NSEC next A BOGUS')[1]).toMatch(/NSEC type bitmap: unknown type "BOGUS"/);
    expect(atLine3('s RRSIG A 8 2 60 20301301000000 20250101000000 1 x. AQID')[1]).toMatch(
      /RRSIG expiration: "20301301000000" is not YYYYMMDDHHmmSS or a number/,
    );
    expect(atLine3('s RRSIG A 8 2 60 20300230000000 20250101000000 1 x. AQID')[1]).toMatch(
      /expiration/,
    );
  });

  it('refuses RFC 3597 data that does not match', () => {
    expect(atLine3('g TYPE65280 \\# 3 0102')).toEqual([
      3,
      'TYPE65280: \\# says 3 octets but 2 follow',
    ]);
    expect(atLine3('g TYPE1 \\# 3 010203')[1]).toMatch(
      /A: \\# data is not a valid RDATA: malformed/,
    );
    expect(atLine3('g MX \\# 4 000a c000')[1]).toMatch(
      /MX: \\# data is not a valid RDATA: it does not encode back/,
    );
  });

  it('refuses the SVCB failure cases of RFC 9460 appendix D.3', () => {
    const cases: [string, RegExp][] = [
      ['1 foo.example.com. ( key123=abc key123=def )', /key123 appears twice/],
      ['1 foo.example.com. mandatory', /mandatory needs a value/],
      ['1 foo.example.com. alpn', /alpn needs a value/],
      ['1 foo.example.com. port', /port needs a value/],
      ['1 foo.example.com. ipv4hint', /ipv4hint needs a value/],
      ['1 foo.example.com. ipv6hint', /ipv6hint needs a value/],
      ['1 foo.example.com. no-default-alpn=abc', /no-default-alpn takes no value/],
      ['1 foo.example.com. mandatory=key123', /mandatory lists key123, which is not present/],
      ['1 foo.example.com. mandatory=mandatory', /mandatory lists mandatory itself/],
      ['1 foo.example.com. ( mandatory=key123,key123 key123=abc )', /lists key123 twice/],
    ];
    for (const [rdata, reason] of cases) {
      for (const type of ['SVCB', 'HTTPS']) {
        expect(atLine3(`f ${type} ${rdata}`)[1], rdata).toMatch(reason);
      }
    }
    expect(atLine3('f SVCB 1 . key65535=x')[1]).toMatch(/key65535 is reserved/);
    expect(atLine3('f SVCB 1 . bogus=x')[1]).toMatch(/unknown SvcParamKey "bogus"/);
    expect(atLine3('f SVCB 1 . port=65536')[1]).toMatch(/port "65536" is not 0-65535/);
    expect(atLine3('f SVCB 1 . alpn=h2,,h3')[1]).toMatch(/value list has an empty item/);
    expect(atLine3('f SVCB 1 . ech=!!!!')[1]).toMatch(/ech "!!!!" is not base64/);
  });

  it('refuses directives it does not support and a first line without an owner', () => {
    expect(atLine3('$INCLUDE other.zone')).toEqual([3, '$INCLUDE is not supported']);
    expect(atLine3('$GENERATE 1-10 host$ A 192.0.2.$')).toEqual([3, '$GENERATE is not supported']);
    expect(atLine3('$FOO bar')).toEqual([3, 'unknown directive "$FOO"']);
    expect(atLine3('$TTL forever')).toEqual([3, '$TTL: "forever" is not a TTL (like 3600 or 1h)']);
    expect(atLine3('$ORIGIN')).toEqual([3, '$ORIGIN needs a value']);
    expect(atLine3('$TTL 1 2')).toEqual([3, '$TTL: unexpected "2"']);
    const e = zoneError('; comment\n\n   A 192.0.2.1\n');
    expect([e.line, e.reason]).toEqual([
      3,
      'the line starts with a blank but there is no previous owner name',
    ]);
  });

  it('points at the line of the field inside a multi-line record', () => {
    const e = zoneError('@ SOA ns hm (\n 1\n 2\n bad\n 4 5 )\n');
    expect([e.line, e.reason]).toEqual([
      4,
      'SOA RETRY: "bad" is not a number of seconds (like 3600 or 1h)',
    ]);
  });

  it('refuses bad options', () => {
    expect(zoneError('', { origin: 'a..b' }).reason).toMatch(
      /options.origin: name "a..b" has an empty label/,
    );
    expect(zoneError('', { defaultTtl: -1 }).reason).toMatch(/options.defaultTtl/);
  });
});

describe('parseRdata errors', () => {
  it('throws DnsZoneError too', () => {
    expect(() => parseRdata(RecordType.MX, '10')).toThrow(DnsZoneError);
    expect(() => parseRdata(RecordType.MX, '10 mail')).toThrow(
      'line 1: MX exchange: relative name "mail" but there is no origin ($ORIGIN or options.origin)',
    );
    expect(parseRdata(RecordType.MX, '10 mail', 'example.com')).toEqual({
      preference: 10,
      exchange: 'mail.example.com',
    });
    expect(() => parseRdata(RecordType.OPT, '\\# 0')).toThrow(/OPT is a pseudo-record/);
    expect(() => parseRdata(70000, '\\# 0')).toThrow(/type 70000 is not a TYPE/);
  });
});
