import { describe, expect, it } from 'vitest';
import {
  decode,
  encode,
  type Message,
  messageFromJSON,
  messageToJSON,
  RecordType,
} from '../src/index.js';
import { fromHex, invalid, message } from './helpers.js';

const sample: Message = message({
  id: 4660,
  qr: true,
  rd: true,
  ra: true,
  ad: true,
  rcode: 16,
  questions: [{ name: 'example.com', type: RecordType.TXT, class: 1 }],
  answers: [
    {
      name: 'example.com',
      type: RecordType.TXT,
      class: 1,
      ttl: 300,
      data: ['v=spf1 -all', new Uint8Array([0xff, 0])],
    },
    {
      name: 'example.com',
      type: RecordType.MX,
      class: 1,
      ttl: 300,
      data: { preference: 10, exchange: 'mail.example.com' },
    },
    {
      name: 'example.com',
      type: RecordType.RRSIG,
      class: 1,
      ttl: 300,
      data: {
        typeCovered: RecordType.TXT,
        algorithm: 13,
        labels: 2,
        originalTtl: 300,
        expiration: 1704067200,
        inception: 1701388800,
        keyTag: 12345,
        signerName: 'example.com',
        signature: new Uint8Array([1, 2, 3, 4]),
      },
    },
    {
      name: 'example.com',
      type: RecordType.DS,
      class: 1,
      ttl: 300,
      data: { keyTag: 1, algorithm: 13, digestType: 2, digest: fromHex('abcd') },
    },
    { name: 'example.com', type: 65280, class: 3, ttl: 0, data: fromHex('0102') },
    {
      name: 'example.com',
      type: RecordType.HTTPS,
      class: 1,
      ttl: 300,
      data: {
        priority: 1,
        target: '.',
        params: {
          mandatory: [1],
          alpn: ['h2'],
          ech: fromHex('fe0d'),
          other: [{ key: 667, value: fromHex('6869') }],
        },
      },
    },
  ],
  additionals: [
    {
      name: '.',
      type: RecordType.OPT,
      data: {
        udpPayloadSize: 1232,
        version: 0,
        dnssecOk: true,
        z: 0,
        options: [
          { code: 10, client: fromHex('0011223344556677') },
          { code: 15, infoCode: 18, extraText: 'no' },
          {
            code: 8,
            family: 1,
            sourcePrefixLength: 24,
            scopePrefixLength: 0,
            address: '192.0.2.0',
          },
          { code: 12, length: 4 },
          { code: 3, data: fromHex('6e73') },
        ],
      },
    },
  ],
});

describe('JSON', () => {
  it('is readable: mnemonics, names as strings, base64 for signatures, hex for the rest', () => {
    const json = messageToJSON(sample);
    expect(json).toMatchObject({
      id: 4660,
      opcode: 'QUERY',
      rcode: 'BADVERS',
      questions: [{ name: 'example.com', type: 'TXT', class: 'IN' }],
    });
    expect(json.answers[0]).toEqual({
      name: 'example.com',
      type: 'TXT',
      class: 'IN',
      ttl: 300,
      data: ['v=spf1 -all', { hex: 'FF00' }],
    });
    expect(json.answers[2]!.data).toMatchObject({ typeCovered: 'TXT', signature: 'AQIDBA==' });
    expect(json.answers[3]!.data).toMatchObject({ digest: 'ABCD' });
    expect(json.answers[4]).toEqual({
      name: 'example.com',
      type: 'TYPE65280',
      class: 'CH',
      ttl: 0,
      data: '0102',
    });
    expect(json.answers[5]!.data).toEqual({
      priority: 1,
      target: '.',
      params: {
        mandatory: ['alpn'],
        alpn: ['h2'],
        ech: '/g0=',
        other: [{ key: 667, value: '6869' }],
      },
    });
    expect(json.additionals[0]).toEqual({
      name: '.',
      type: 'OPT',
      data: {
        udpPayloadSize: 1232,
        version: 0,
        dnssecOk: true,
        z: 0,
        options: [
          { code: 10, client: '0011223344556677' },
          { code: 15, infoCode: 18, extraText: 'no' },
          {
            code: 8,
            family: 1,
            sourcePrefixLength: 24,
            scopePrefixLength: 0,
            address: '192.0.2.0',
          },
          { code: 12, length: 4 },
          { code: 3, data: '6E73' },
        ],
      },
    });
  });

  it('round-trips through JSON text', () => {
    const text = JSON.stringify(messageToJSON(sample));
    const back = messageFromJSON(JSON.parse(text));
    expect(back).toEqual(sample);
    expect(decode(encode(back))).toEqual(sample);
  });

  it('accepts numbers for types and classes, and missing header fields', () => {
    const m = messageFromJSON({ questions: [{ name: 'a', type: 1, class: 'IN' }] });
    expect(m).toEqual(message({ questions: [{ name: 'a', type: 1, class: 1 }] }));
  });

  it('refuses bad JSON with DnsInvalidError naming the field', () => {
    const bad: [unknown, string][] = [
      [null, 'message'],
      [{ questions: 'x' }, 'questions'],
      [{ questions: [{ name: 'a', type: 'NOPE', class: 'IN' }] }, 'questions[0].type'],
      [
        {
          answers: [
            {
              name: 'a',
              type: 'DS',
              class: 'IN',
              ttl: 1,
              data: { keyTag: 1, algorithm: 1, digestType: 1, digest: 'xyz' },
            },
          ],
        },
        'answers[0].data.digest',
      ],
      [
        {
          answers: [
            {
              name: 'a',
              type: 'DNSKEY',
              class: 'IN',
              ttl: 1,
              data: { flags: 1, protocol: 3, algorithm: 1, publicKey: 'a$==' },
            },
          ],
        },
        'answers[0].data.publicKey',
      ],
      [
        { answers: [{ name: 'a', type: 'TXT', class: 'IN', ttl: 1, data: [{ hex: 'zz' }] }] },
        'answers[0].data[0]',
      ],
      [
        {
          answers: [
            { name: 'a', type: 'MX', class: 'IN', ttl: 1, data: { preference: -1, exchange: 'b' } },
          ],
        },
        'answers[0].data.preference',
      ],
      [
        { answers: [{ name: 'a', type: 'TYPE999', class: 'IN', ttl: 1, data: 'abc' }] },
        'answers[0].data',
      ],
      [{ rcode: 'NOPE' }, 'rcode'],
    ];
    for (const [json, field] of bad) expect(invalid(() => messageFromJSON(json)).field).toBe(field);
  });
});
