import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addNftDropRule,
  createLink,
  removeNftDropRule,
  skipUnless,
  type TestLink,
} from '../src/index.js';

const req = skipUnless(['netns', 'nftables', 'ping']);

describe.skipIf(req.skip)(`nftables packet loss${req.note}`, () => {
  let link: TestLink;

  beforeAll(async () => {
    link = await createLink({ ipv6: true });
  });

  afterAll(async () => {
    await link?.destroy();
  });

  const ping = async (address: string): Promise<number | null> =>
    (await link.a.run('ping', ['-c', '1', '-W', '1', address], { timeout: 5000 })).code;

  it('drops every ping at 100% and none once removed', async () => {
    expect(await ping('198.18.1.2')).toBe(0);
    await addNftDropRule(link.b, 100, { protocol: 'icmp' });
    expect(await ping('198.18.1.2')).not.toBe(0);
    expect(await ping('fd00:198:18:1::2')).not.toBe(0);
    await removeNftDropRule(link.b, { protocol: 'icmp' });
    expect(await ping('198.18.1.2')).toBe(0);
    expect(await ping('fd00:198:18:1::2')).toBe(0);
  });

  it('drops only the protocol asked for', async () => {
    await addNftDropRule(link.b, 100, { protocol: 'udp' });
    try {
      expect(await ping('198.18.1.2')).toBe(0);
    } finally {
      await removeNftDropRule(link.b, { protocol: 'udp' });
    }
  });

  it('installs a random drop for a partial loss, replacing the previous rule', async () => {
    await addNftDropRule(link.b, 30, { protocol: 'tcp' });
    await addNftDropRule(link.b, 25, { protocol: 'tcp' });
    const { stdout } = await link.b.run('nft', ['list', 'ruleset'], { check: true });
    expect(stdout).toMatch(/numgen random mod 100 < 25 drop/);
    expect(stdout).not.toMatch(/< 30/);
    await removeNftDropRule(link.b, { protocol: 'tcp' });
  });

  it('rejects a percentage out of range', async () => {
    await expect(addNftDropRule(link.b, 101)).rejects.toThrow(RangeError);
  });
});
