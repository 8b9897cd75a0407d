import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decode,
  encode,
  encodingLength,
  messageFromJSON,
  messageToJSON,
  recordToText,
} from '../src/index.js';
import { messageArb, record } from './arbitraries.js';
import { hex } from './helpers.js';

describe('properties (fast-check)', () => {
  it('encode -> decode gives the message back, for records of every type', () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        const wire = encode(m);
        expect(wire.length).toBe(encodingLength(m));
        expect(decode(wire)).toEqual(m);
        expect(hex(encode(decode(wire)))).toBe(hex(wire));
      }),
      { numRuns: 3000 },
    );
  });

  it('JSON round-trips: decode(encode(messageFromJSON(messageToJSON(m)))) equals m', () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        const json = JSON.parse(JSON.stringify(messageToJSON(m)));
        const back = messageFromJSON(json);
        expect(back).toEqual(m);
        expect(decode(encode(back))).toEqual(m);
      }),
      { numRuns: 1000 },
    );
  });

  it('every record has presentation text', () => {
    fc.assert(
      fc.property(record, (r) => {
        const line = recordToText(r);
        expect(line.split('\t')).toHaveLength(5);
      }),
      { numRuns: 2000 },
    );
  });
});
