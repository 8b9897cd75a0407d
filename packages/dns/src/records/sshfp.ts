/** SSHFP (RFC 4255 3.1): key algorithm, fingerprint type, fingerprint. */
import type { Reader } from '../reader.js';
import { bytes, object, u8, type Writer } from '../writer.js';
import type { RdataCodec } from './codec.js';

export interface SshfpData {
  /** 1 RSA, 2 DSA, 3 ECDSA, 4 Ed25519, 6 Ed448. */
  algorithm: number;
  /** 1 SHA-1, 2 SHA-256. */
  fingerprintType: number;
  fingerprint: Uint8Array;
}

export const sshfp: RdataCodec<SshfpData> = {
  bound: (d) => 2 + d.fingerprint.length,
  write(w: Writer, d: SshfpData) {
    object(d, 'data');
    w.u8(u8(d.algorithm, 'data.algorithm'));
    w.u8(u8(d.fingerprintType, 'data.fingerprintType'));
    w.bytes(bytes(d.fingerprint, 'data.fingerprint'));
  },
  read(r: Reader): SshfpData {
    r.need(2, 'SSHFP fields');
    const algorithm = r.u8('SSHFP algorithm');
    const fingerprintType = r.u8('SSHFP fingerprint type');
    return { algorithm, fingerprintType, fingerprint: r.rest() };
  },
};
