/**
 * A quick side-by-side of this codec and dns-packet on the same messages (not a test; speed is
 * never asserted). Alternates the two in one process and prints the median ratio of 15 rounds.
 * Run: esbuild test/compare-dns-packet.ts --bundle --platform=node --format=esm
 *        --packages=external --outfile=compare.mjs && node compare.mjs
 */
import * as dp from 'dns-packet';
import { decode, encode } from '../src/index.js';

const signature = Buffer.alloc(64, 7);
const messages: Record<string, dp.Packet> = {
  'A answer, 4 records': {
    type: 'response',
    id: 1,
    flags: dp.RECURSION_DESIRED | dp.RECURSION_AVAILABLE,
    questions: [{ type: 'A', name: 'www.example.com' }],
    answers: [1, 2, 3, 4].map(
      (i) => ({ type: 'A', name: 'www.example.com', ttl: 300, data: `192.0.2.${i}` }) as dp.Answer,
    ),
  },
  'MX answer': {
    type: 'response',
    id: 2,
    flags: dp.RECURSION_DESIRED | dp.RECURSION_AVAILABLE,
    questions: [{ type: 'MX', name: 'example.com' }],
    answers: [10, 20, 30].map(
      (p) =>
        ({
          type: 'MX',
          name: 'example.com',
          ttl: 3600,
          data: { preference: p, exchange: `mx${p}.mail.example.com` },
        }) as dp.Answer,
    ),
  },
  'DNSSEC answer (A + RRSIG, EDNS DO)': {
    type: 'response',
    id: 3,
    flags: dp.RECURSION_DESIRED | dp.RECURSION_AVAILABLE | dp.AUTHENTIC_DATA,
    questions: [{ type: 'A', name: 'www.example.com' }],
    answers: [
      { type: 'A', name: 'www.example.com', ttl: 300, data: '192.0.2.1' },
      {
        type: 'RRSIG',
        name: 'www.example.com',
        ttl: 300,
        data: {
          typeCovered: 'A',
          algorithm: 13,
          labels: 3,
          originalTTL: 300,
          expiration: 1700000000,
          inception: 1690000000,
          keyTag: 12345,
          signersName: 'example.com',
          signature,
        },
      },
    ],
    additionals: [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: 1232,
        flags: dp.DNSSEC_OK,
        options: [],
      } as unknown as dp.Answer,
    ],
  },
};

function perCall(fn: () => unknown, n: number): number {
  const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - t) / n) * 1e6;
}

const median = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1]!;

for (const [label, packet] of Object.entries(messages)) {
  const wire = dp.encode(packet);
  const bytes = new Uint8Array(wire);
  const message = decode(bytes);
  const decodeRatio: number[] = [];
  const encodeRatio: number[] = [];
  const ns = { ours: [0, 0], theirs: [0, 0] };
  for (let round = 0; round < 15; round++) {
    const theirsDecode = perCall(() => dp.decode(wire), 20_000);
    const oursDecode = perCall(() => decode(bytes), 20_000);
    const theirsEncode = perCall(() => dp.encode(packet), 20_000);
    const oursEncode = perCall(() => encode(message), 20_000);
    decodeRatio.push(theirsDecode / oursDecode);
    encodeRatio.push(theirsEncode / oursEncode);
    ns.ours = [oursDecode, oursEncode];
    ns.theirs = [theirsDecode, theirsEncode];
  }
  console.log(
    `${label}: decode ${median(decodeRatio).toFixed(2)}x, encode ${median(encodeRatio).toFixed(2)}x ` +
      `(last round ns/op: ours ${ns.ours.map((v) => v.toFixed(0)).join('/')}, dns-packet ${ns.theirs.map((v) => v.toFixed(0)).join('/')}; ` +
      `${wire.length} octets from dns-packet, ${encode(message).length} from ours)`,
  );
}
