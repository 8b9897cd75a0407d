import { describe, expect, it } from 'vitest';
import { ipv6GroupScope, isMulticastAddress, isSourceSpecificGroup } from '../src/index.js';

describe('group addresses', () => {
  it.each([
    ['224.0.0.1', true],
    ['224.3.29.71', true],
    ['239.255.255.255', true],
    ['223.255.255.255', false],
    ['240.0.0.1', false],
    ['198.18.0.1', false],
    ['ff02::1', true],
    ['FF15::1:2:3', true],
    ['ff02::1%eth0', true],
    ['fe80::1', false],
    ['::ffff:224.0.0.1', false],
    ['fd00:198:18::1', false],
    ['ff0::1', false],
    ['not an ip', false],
  ])('isMulticastAddress(%s) is %s', (address, expected) => {
    expect(isMulticastAddress(address)).toBe(expected);
  });

  it.each([
    ['232.0.0.1', true],
    ['232.255.1.1', true],
    ['239.1.1.1', false],
    ['ff35::1', true],
    ['ff3e::8000:1', true],
    ['ff15::1', false],
    ['198.18.0.1', false],
  ])('isSourceSpecificGroup(%s) is %s', (address, expected) => {
    expect(isSourceSpecificGroup(address)).toBe(expected);
  });

  it('reads the IPv6 scope (RFC 4291 2.7)', () => {
    expect(ipv6GroupScope('ff02::1')).toBe(2);
    expect(ipv6GroupScope('ff15::1')).toBe(5);
    expect(ipv6GroupScope('ff0e::1')).toBe(14);
    expect(ipv6GroupScope('ff31::1')).toBe(1);
    expect(ipv6GroupScope('239.1.1.1')).toBeUndefined();
    expect(ipv6GroupScope('fd00::1')).toBeUndefined();
  });
});
