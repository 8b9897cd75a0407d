import { describe, it } from 'vitest';
import { FUZZ_RUNS, fuzz, worstCases } from './fuzz.js';

// The bounded fuzz run is split over two files so that vitest runs the halves in parallel.
describe('bounded fuzz of the decoder, first half', () => {
  it(`${Math.ceil(FUZZ_RUNS / 2)} mutated messages: only DnsMalformedError escapes, no decode hangs`, () => {
    fuzz(0x5eed, Math.ceil(FUZZ_RUNS / 2));
  }, 300_000);

  it('worst cases of 65535 octets decode (or fail) in bounded time', () => worstCases());
});
