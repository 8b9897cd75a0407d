// The checksums the codecs use: the package's public ones (JS for short headers, the addon for
// large payloads).
export { internetChecksum, onesComplementSum, pseudoHeaderSum } from '../checksum.js';
