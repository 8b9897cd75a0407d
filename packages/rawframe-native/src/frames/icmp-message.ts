// The layout ICMPv4 (RFC 792) and ICMPv6 (RFC 4443) share: type, code, checksum, 4 bytes of
// type-specific "rest", then data. Only the checksum's start differs: ICMPv6 adds the IPv6
// pseudo-header, ICMPv4 nothing.
import { bytesOption, concat, intOption, view } from './bytes.js';
import { internetChecksum } from './sum.js';

export interface IcmpMessageInit {
  type: number;
  code?: number;
  /** The 4 bytes after the checksum (id and sequence for echo, unused or MTU for errors). */
  rest?: Uint8Array;
  data?: Uint8Array;
  /** Writes this value instead of the computed checksum (to make a bad message on purpose). */
  checksum?: number;
}

/** Builds the message; `initialSum(length)` is the partial sum the checksum starts from. */
export function buildIcmpMessage(
  init: IcmpMessageInit,
  initialSum: (length: number) => number,
): Uint8Array {
  const rest = init.rest === undefined ? new Uint8Array(4) : bytesOption(init.rest, 'rest');
  if (rest.length !== 4) throw new RangeError(`rest must be 4 bytes, got ${rest.length}`);
  const data = init.data === undefined ? new Uint8Array(0) : bytesOption(init.data, 'data');
  const out = concat([
    Uint8Array.of(
      intOption(init.type, 'type', 0, 255),
      intOption(init.code ?? 0, 'code', 0, 255),
      0,
      0,
    ),
    rest,
    data,
  ]);
  const checksum =
    init.checksum === undefined
      ? internetChecksum(out, initialSum(out.length))
      : intOption(init.checksum, 'checksum', 0, 0xffff);
  view(out).setUint16(2, checksum);
  return out;
}

/** The echo "rest": identifier and sequence number. */
export function echoRest(id: number, sequence: number): Uint8Array {
  const rest = new Uint8Array(4);
  view(rest).setUint16(0, intOption(id, 'id', 0, 0xffff));
  view(rest).setUint16(2, intOption(sequence, 'sequence', 0, 0xffff));
  return rest;
}
