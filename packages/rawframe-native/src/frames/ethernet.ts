// Ethernet II frames with optional 802.1Q / 802.1ad tags (IEEE 802.3 clause 3, 802.1Q 9.6).
import { bytesOption, concat, intOption, view } from './bytes.js';
import { FrameInvalidError, need } from './errors.js';
import { formatMac, macBytes } from './mac.js';

export const EtherType = {
  IPv4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPv6: 0x86dd,
  QinQ: 0x88a8,
} as const;

/** Shortest Ethernet frame without its 4-byte FCS; shorter frames are padded with zeros. */
export const MIN_FRAME_LENGTH = 60;
export const ETHERNET_HEADER_LENGTH = 14;
/** How many stacked tags a parser accepts (QinQ is 2; more is almost surely garbage). */
const MAX_TAGS = 4;

export interface VlanTag {
  /** VLAN identifier, 0-4095. */
  id: number;
  /** Priority code point, 0-7. */
  priority: number;
  /** Drop eligible indicator. */
  dei: boolean;
  /** Tag protocol identifier: 0x8100 (802.1Q) or 0x88a8 (802.1ad outer tag). */
  tpid: number;
}

export interface EthernetInit {
  dst: string | Uint8Array;
  src: string | Uint8Array;
  /** The EtherType of the payload (e.g. 0x0800), 0x0600-0xffff. */
  ethertype: number;
  /** One tag, or outer-first tags for QinQ. */
  vlan?: (Partial<VlanTag> & { id: number }) | readonly (Partial<VlanTag> & { id: number })[];
  payload?: Uint8Array;
  /** Pad to 60 bytes (default true). */
  pad?: boolean;
}

export interface EthernetFrame {
  dst: string;
  src: string;
  /** EtherType after the tags; below 0x0600 it is an IEEE 802.3 length instead. */
  ethertype: number;
  /** Tags, outermost first; empty when untagged. */
  vlans: VlanTag[];
  headerLength: number;
  /** Everything after the header, trailing padding included (inner layers know their length). */
  payload: Uint8Array;
}

function tagBytes(
  tag: Partial<VlanTag> & { id: number },
  index: number,
  count: number,
): Uint8Array {
  const id = intOption(tag.id, 'vlan.id', 0, 4095);
  const priority = intOption(tag.priority ?? 0, 'vlan.priority', 0, 7);
  const tpid = intOption(
    tag.tpid ?? (count > 1 && index === 0 ? EtherType.QinQ : EtherType.VLAN),
    'vlan.tpid',
    0x0600,
    0xffff,
  );
  const tci = (priority << 13) | (tag.dei ? 0x1000 : 0) | id;
  return Uint8Array.of(tpid >> 8, tpid & 0xff, tci >> 8, tci & 0xff);
}

/** Builds an Ethernet II frame (without FCS), padded to 60 bytes unless `pad: false`. */
export function buildEthernet(init: EthernetInit): Uint8Array {
  const dst = macBytes(init.dst, 'dst');
  const src = macBytes(init.src, 'src');
  const ethertype = intOption(init.ethertype, 'ethertype', 0x0600, 0xffff);
  const payload =
    init.payload === undefined ? new Uint8Array(0) : bytesOption(init.payload, 'payload');
  const tags = init.vlan === undefined ? [] : Array.isArray(init.vlan) ? init.vlan : [init.vlan];
  const header = [
    dst,
    src,
    ...tags.map((t, i) => tagBytes(t, i, tags.length)),
    Uint8Array.of(ethertype >> 8, ethertype & 0xff),
  ];
  return concat([...header, payload], init.pad === false ? 0 : MIN_FRAME_LENGTH);
}

function isTpid(type: number): boolean {
  return type === EtherType.VLAN || type === EtherType.QinQ || type === 0x9100;
}

/** Parses the Ethernet header and any VLAN tags; the payload keeps any trailing padding. */
export function parseEthernet(bytes: Uint8Array): EthernetFrame {
  need(bytes, ETHERNET_HEADER_LENGTH, 'Ethernet header');
  const v = view(bytes);
  let offset = 12;
  let type = v.getUint16(offset);
  const vlans: VlanTag[] = [];
  while (isTpid(type)) {
    if (vlans.length === MAX_TAGS)
      throw new FrameInvalidError('Ethernet header', `more than ${MAX_TAGS} VLAN tags`);
    need(bytes, offset + 6, 'VLAN tag');
    const tci = v.getUint16(offset + 2);
    vlans.push({ id: tci & 0x0fff, priority: tci >> 13, dei: (tci & 0x1000) !== 0, tpid: type });
    offset += 4;
    type = v.getUint16(offset);
  }
  offset += 2;
  return {
    dst: formatMac(bytes, 0),
    src: formatMac(bytes, 6),
    ethertype: type,
    vlans,
    headerLength: offset,
    payload: bytes.subarray(offset),
  };
}
