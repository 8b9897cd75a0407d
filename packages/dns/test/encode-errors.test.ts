import { describe, expect, it } from 'vitest';
import { encode, encodingLength, type MessageInput, type ResourceRecord } from '../src/index.js';
import { invalid } from './helpers.js';

const rr = (type: number, data: unknown, extra: Partial<ResourceRecord> = {}): ResourceRecord =>
  ({ name: 'example.com', type, class: 1, ttl: 300, data, ...extra }) as ResourceRecord;

const refusals: [string, MessageInput, string][] = [
  ['id over 16 bits', { id: 65536 }, 'id'],
  ['negative id', { id: -1 }, 'id'],
  ['fractional id', { id: 1.5 }, 'id'],
  ['opcode over 4 bits', { opcode: 16 }, 'opcode'],
  ['flag that is not a boolean', { rd: 1 as unknown as boolean }, 'rd'],
  ['questions not an array', { questions: {} as never }, 'questions'],
  [
    'question type over 16 bits',
    { questions: [{ name: 'a', type: 65536, class: 1 }] },
    'questions[0].type',
  ],
  [
    'question class missing',
    { questions: [{ name: 'a', type: 1 } as never] },
    'questions[0].class',
  ],
  ['record that is not an object', { answers: [null as never] }, 'answers[0].record'],
  ['TTL over 32 bits', { answers: [rr(1, '192.0.2.1', { ttl: 2 ** 32 })] }, 'answers[0].ttl'],
  ['TTL as a string', { answers: [rr(1, '192.0.2.1', { ttl: '300' as never })] }, 'answers[0].ttl'],
  ['class over 16 bits', { answers: [rr(1, '192.0.2.1', { class: 70000 })] }, 'answers[0].class'],
  ['bad IPv4', { answers: [rr(1, '192.0.2.256')] }, 'answers[0].data'],
  ['IPv4 with a leading zero', { answers: [rr(1, '192.0.2.01')] }, 'answers[0].data'],
  ['IPv4 with 3 parts', { answers: [rr(1, '192.0.2')] }, 'answers[0].data'],
  ['IPv6 for A', { answers: [rr(1, '::1')] }, 'answers[0].data'],
  ['bad IPv6', { answers: [rr(28, '2001:db8:::1')] }, 'answers[0].data'],
  ['IPv6 with 9 groups', { answers: [rr(28, '1:2:3:4:5:6:7:8:9')] }, 'answers[0].data'],
  ['IPv6 with a zone', { answers: [rr(28, 'fe80::1%eth0')] }, 'answers[0].data'],
  ['IPv4 for AAAA', { answers: [rr(28, '192.0.2.1')] }, 'answers[0].data'],
  [
    'MX preference over 16 bits',
    { answers: [rr(15, { preference: 65536, exchange: 'mx' })] },
    'answers[0].data.preference',
  ],
  ['MX without exchange', { answers: [rr(15, { preference: 1 })] }, 'answers[0].data.exchange'],
  ['MX data not an object', { answers: [rr(15, 'mx')] }, 'answers[0].data'],
  [
    'SOA serial negative',
    {
      answers: [
        rr(6, { mname: 'a', rname: 'b', serial: -1, refresh: 1, retry: 1, expire: 1, minimum: 1 }),
      ],
    },
    'answers[0].data.serial',
  ],
  [
    'SRV port over 16 bits',
    { answers: [rr(33, { priority: 1, weight: 1, port: 99999, target: 't' })] },
    'answers[0].data.port',
  ],
  ['TXT with no strings', { answers: [rr(16, [])] }, 'answers[0].data'],
  ['TXT not an array', { answers: [rr(16, 'text')] }, 'answers[0].data'],
  ['TXT with a number', { answers: [rr(16, [5])] }, 'answers[0].data[0]'],
  ['TXT with a lone surrogate', { answers: [rr(16, ['\ud800'])] }, 'answers[0].data[0]'],
  [
    'HINFO cpu over 255 octets',
    { answers: [rr(13, { cpu: 'x'.repeat(256), os: '' })] },
    'answers[0].data.cpu',
  ],
  [
    'CAA tag empty',
    { answers: [rr(257, { flags: 0, tag: '', value: '' })] },
    'answers[0].data.tag',
  ],
  [
    'CAA tag with a dash',
    { answers: [rr(257, { flags: 0, tag: 'is-sue', value: '' })] },
    'answers[0].data.tag',
  ],
  [
    'CAA flags over 8 bits',
    { answers: [rr(257, { flags: 256, tag: 'issue', value: '' })] },
    'answers[0].data.flags',
  ],
  [
    'DS digest not bytes',
    { answers: [rr(43, { keyTag: 1, algorithm: 8, digestType: 2, digest: 'abcd' })] },
    'answers[0].data.digest',
  ],
  [
    'DNSKEY algorithm over 8 bits',
    { answers: [rr(48, { flags: 257, protocol: 3, algorithm: 256, publicKey: new Uint8Array() })] },
    'answers[0].data.algorithm',
  ],
  [
    'NSEC types with 65536',
    { answers: [rr(47, { nextDomainName: 'a', types: [1, 65536] })] },
    'answers[0].data.types[1]',
  ],
  [
    'NSEC3 salt over 255 octets',
    {
      answers: [
        rr(50, {
          hashAlgorithm: 1,
          flags: 0,
          iterations: 0,
          salt: new Uint8Array(256),
          nextHashedOwnerName: new Uint8Array(20),
          types: [],
        }),
      ],
    },
    'answers[0].data.salt',
  ],
  [
    'NSEC3 empty hash',
    {
      answers: [
        rr(50, {
          hashAlgorithm: 1,
          flags: 0,
          iterations: 0,
          salt: new Uint8Array(),
          nextHashedOwnerName: new Uint8Array(),
          types: [],
        }),
      ],
    },
    'answers[0].data.nextHashedOwnerName',
  ],
  ['unknown type data not bytes', { answers: [rr(65280, 'abc')] }, 'answers[0].data'],
  ['RDATA over 65535 octets', { answers: [rr(65280, new Uint8Array(65536))] }, 'answers[0].data'],
  [
    'OPT z over 15 bits',
    {
      additionals: [
        {
          name: '.',
          type: 41,
          data: { udpPayloadSize: 512, version: 0, dnssecOk: false, z: 0x8000, options: [] },
        },
      ],
    },
    'additionals[0].data.z',
  ],
  [
    'ECS family mismatch',
    {
      additionals: [
        {
          name: '.',
          type: 41,
          data: {
            udpPayloadSize: 512,
            version: 0,
            dnssecOk: false,
            z: 0,
            options: [
              {
                code: 8,
                family: 2,
                sourcePrefixLength: 24,
                scopePrefixLength: 0,
                address: '192.0.2.0',
              },
            ],
          },
        },
      ],
    },
    'additionals[0].data.options[0].address',
  ],
  [
    'ECS prefix over 32 for IPv4',
    {
      additionals: [
        {
          name: '.',
          type: 41,
          data: {
            udpPayloadSize: 512,
            version: 0,
            dnssecOk: false,
            z: 0,
            options: [
              {
                code: 8,
                family: 1,
                sourcePrefixLength: 33,
                scopePrefixLength: 0,
                address: '192.0.2.0',
              },
            ],
          },
        },
      ],
    },
    'additionals[0].data.options[0].sourcePrefixLength',
  ],
  [
    'padding over 16 bits',
    {
      additionals: [
        {
          name: '.',
          type: 41,
          data: {
            udpPayloadSize: 512,
            version: 0,
            dnssecOk: false,
            z: 0,
            options: [{ code: 12, length: 70000 }],
          },
        },
      ],
    },
    'additionals[0].data.options[0].length',
  ],
];

describe('the encoder refuses values it cannot write validly (ERR_DNS_INVALID)', () => {
  it.each(refusals)('%s', (_, m, field) => {
    const err = invalid(() => encode(m));
    expect(err.field).toBe(field);
    expect(err.message).toContain(field);
    // encodingLength runs the same checks.
    expect(invalid(() => encodingLength(m)).field).toBe(field);
  });

  it('a message over 65535 octets', () => {
    const big = new Uint8Array(60000);
    const err = invalid(() => encode({ answers: [rr(65280, big), rr(65280, big)] }));
    expect(err.field).toBe('message');
  });

  it('a message that is not an object', () => {
    expect(invalid(() => encode(null as never)).field).toBe('message');
  });
});
