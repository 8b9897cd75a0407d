import { describe, expect, it } from 'vitest';
import {
  classFromString,
  classToString,
  opcodeToString,
  Rcode,
  RecordClass,
  RecordType,
  rcodeFromString,
  rcodeToString,
  typeFromString,
  typeToString,
} from '../src/index.js';
import { formatIPv6, parseIPv4, parseIPv6 } from '../src/ip.js';

describe('registries', () => {
  it('types, with TYPEnnn for the rest (RFC 3597 5)', () => {
    expect(RecordType.A).toBe(1);
    expect(RecordType.HTTPS).toBe(65);
    expect(typeToString(15)).toBe('MX');
    expect(typeToString(65280)).toBe('TYPE65280');
    expect(typeFromString('mx')).toBe(15);
    expect(typeFromString('TYPE123')).toBe(123);
    expect(typeFromString('type65535')).toBe(65535);
    expect(typeFromString('TYPE65536')).toBeUndefined();
    expect(typeFromString('TYPE')).toBeUndefined();
    expect(typeFromString('TYPE1x')).toBeUndefined();
    expect(typeFromString('NOPE')).toBeUndefined();
    expect(typeFromString('constructor')).toBeUndefined();
    expect(typeFromString('NSAP-PTR')).toBe(23);
  });
  it('classes, opcodes, rcodes', () => {
    expect(RecordClass.IN).toBe(1);
    expect(classToString(3)).toBe('CH');
    expect(classToString(1232)).toBe('CLASS1232');
    expect(classFromString('class9')).toBe(9);
    expect(opcodeToString(5)).toBe('UPDATE');
    expect(opcodeToString(9)).toBe('OPCODE9');
    expect(Rcode.BADVERS).toBe(16);
    const names = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];
    expect(names.map((_, i) => rcodeToString(i))).toEqual(names);
    expect(rcodeToString(16)).toBe('BADVERS');
    expect(rcodeToString(4000)).toBe('RCODE4000');
    expect(rcodeFromString('rcode4000')).toBe(4000);
    expect(rcodeFromString('nxdomain')).toBe(3);
  });
});

describe('addresses', () => {
  const v6 = (text: string) => {
    const b = new Uint8Array(16);
    if (!parseIPv6(text, b, 0)) throw new Error(`not IPv6: ${text}`);
    return formatIPv6(b, 0);
  };
  it('IPv6 text is RFC 5952, with dig/glibc embedded IPv4', () => {
    expect(v6('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(v6('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(v6('2001:0db8:0000:0000:0001:0000:0000:0000')).toBe('2001:db8:0:0:1::');
    expect(v6('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(v6('::')).toBe('::');
    expect(v6('::1')).toBe('::1');
    expect(v6('1::')).toBe('1::');
    expect(v6('::ffff:192.0.2.1')).toBe('::ffff:192.0.2.1');
    expect(v6('::ffff:c000:0201')).toBe('::ffff:192.0.2.1');
    expect(v6('::192.0.2.1')).toBe('::192.0.2.1');
    expect(v6('64:ff9b::192.0.2.33')).toBe('64:ff9b::c000:221');
    expect(v6('fe80::a:b:c:d')).toBe('fe80::a:b:c:d');
  });
  it('refuses what inet_pton refuses', () => {
    const b = new Uint8Array(16);
    for (const bad of [
      '',
      ':',
      ':::',
      '1:::2',
      '1::2::3',
      '12345::',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '::1:',
      ':1::',
      'g::',
      '1:2:3:4:5:6:7::8',
      '::1.2.3',
      '::1.2.3.4.5',
      '1.2.3.4::',
      '1:2:3:4:5:6:7:1.2.3.4',
    ]) {
      expect(parseIPv6(bad, b, 0), bad).toBe(false);
    }
    for (const bad of [
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.1.1.1',
      '1..1.1',
      ' 1.1.1.1',
      '1.1.1.1 ',
      '0x1.1.1.1',
    ]) {
      expect(parseIPv4(bad, b, 0), bad).toBe(false);
    }
    expect(parseIPv6('1:2:3:4:5:6::7', b, 0)).toBe(true);
    expect(parseIPv6('1:2:3:4:5:6:1.2.3.4', b, 0)).toBe(true);
  });
});
