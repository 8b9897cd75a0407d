import { describe, it } from 'vitest';
import { FUZZ_RUNS, fuzz } from './fuzz.js';

describe('bounded fuzz of the decoder, second half', () => {
  it(`${Math.floor(FUZZ_RUNS / 2)} mutated messages: only DnsMalformedError escapes, no decode hangs`, () => {
    fuzz(0xd15ea5e, Math.floor(FUZZ_RUNS / 2));
  }, 300_000);
});
