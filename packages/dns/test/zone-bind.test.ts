/**
 * Cross-check with BIND (Debian package bind9-utils): named-checkzone must accept the same
 * files, and the zone named-compilezone prints back (every record in full, one a line) must hold
 * the same records as ours, whichever of the two wrote the text.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnless } from '@netkit/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { type ResourceRecord, recordToText } from '../src/index.js';
import { parseZone } from '../src/zone/index.js';

const FIXTURE = new URL('./fixtures/every-type.zone', import.meta.url);

/** Escapes, relative names, blank owners, TTL units and every SVCB escape BIND knows. */
const TRICKY = String.raw`$TTL 1h
$ORIGIN tricky.example.
@	IN	SOA	ns1 host\.master 1 2h 30m 2w 5m
	NS	ns1
ns1	A	192.0.2.1
ns1	IN 300	AAAA	2001:db8::1
a\.b\032c	60	TXT	"semi;colon" "quote\"d" back\\slash "\226\130\172" "\255\000"
*.wild	TXT	wild card
a\@b	CNAME	\$x.tricky.example.
$ORIGIN sub.tricky.example.
@	MX	10 mail.tricky.example.
	MX	20 \(odd\)
$TTL 120
srv	SRV	0 5 443 .
svc	SVCB	2 . ( mandatory=alpn,ipv6hint alpn="f\\\\oo\\,bar,h2"
		ipv6hint=2001:db8::1,::ffff:192.0.2.1 key300="a\000b" no-default-alpn key9 )
svc2	HTTPS	0 svc
caa	CAA	128 tbs "Unknown"
txt	TXT	( "a"
		  "b" ) ; continued
g	TYPE1	\# 4 C0000201
u	TYPE4000	\# 0
n	NSEC	n2.sub.tricky.example. A MX TYPE1234 CAA
k	DNSKEY	257 3 ED25519 ( l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4= )
`;

const req = skipUnless(['named-checkzone', 'named-compilezone']);

/** Records as a sorted list of lines (BIND and we order records differently). */
function set(records: ResourceRecord[]): string[] {
  return records.map((r) => recordToText(r, { split: 0 })).sort();
}

describe.skipIf(req.skip)(`BIND agrees${req.note}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'netkit-zone-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs a BIND tool; its own words make the error if it fails. */
  function run(command: string, args: string[]): void {
    try {
      execFileSync(command, args, { stdio: 'pipe' });
    } catch (e) {
      const { stdout, stderr } = e as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
    }
  }

  /** named-checkzone's verdict on a file, then named-compilezone's records of it. */
  function bind(origin: string, file: string): ResourceRecord[] {
    // -k ignore: host-name rules (check-names) are policy, not syntax.
    run('named-checkzone', ['-k', 'ignore', '-i', 'local', origin, file]);
    const out = join(dir, `${origin}.compiled`);
    run('named-compilezone', ['-k', 'ignore', '-i', 'none', '-s', 'full', '-o', out, origin, file]);
    return parseZone(readFileSync(out, 'utf8'), { fileName: out });
  }

  for (const [origin, load] of [
    ['test.netkit', () => readFileSync(FIXTURE, 'utf8')],
    ['tricky.example', () => TRICKY],
  ] as const) {
    it(`reads ${origin} as BIND does`, () => {
      const text = load();
      const file = join(dir, `${origin}.zone`);
      writeFileSync(file, text);
      const ours = parseZone(text, { fileName: file });
      expect(set(bind(origin, file))).toEqual(set(ours));
    });

    it(`writes ${origin} as text BIND reads back to the same records`, () => {
      const ours = parseZone(load());
      const file = join(dir, `${origin}.ours.zone`);
      writeFileSync(file, `${ours.map((r) => recordToText(r)).join('\n')}\n`);
      expect(set(bind(origin, file))).toEqual(set(ours));
    });
  }
});
