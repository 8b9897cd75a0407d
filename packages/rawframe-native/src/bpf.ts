// Classic BPF programs for SO_ATTACH_FILTER: the kernel drops non-matching frames before they are
// queued, so a busy interface costs nothing for frames nobody wants.

/** One classic BPF instruction (struct sock_filter). */
export interface BpfInstruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

// Opcodes (linux/filter.h).
const LD_H_ABS = 0x28; // A = 16-bit word at k
const LD_B_ABS = 0x30; // A = byte at k
const JEQ_K = 0x15; // if A == k skip jt else skip jf
const RET_K = 0x06; // accept k bytes (0 drops)
const ACCEPT = 0x40000; // whole frame
const ETHERTYPE_IPV4 = 0x0800;

const insn = (code: number, jt: number, jf: number, k: number): BpfInstruction => ({
  code,
  jt,
  jf,
  k,
});

function checkRange(name: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw Object.assign(new RangeError(`${name} must be an integer from 0 to ${max}`), {
      code: 'ERR_OUT_OF_RANGE',
    });
  }
  return value;
}

/**
 * Ready-made filters. The kernel applies them after stripping an offloaded 802.1Q tag, so
 * `ethertype` matches the inner type of tagged frames too.
 */
export const filters = {
  /** Frames whose EtherType is `type` (e.g. 0x0806 ARP, 0x0801 the seed's "Hello"). */
  ethertype(type: number): BpfInstruction[] {
    checkRange('type', type, 0xffff);
    return [
      insn(LD_H_ABS, 0, 0, 12),
      insn(JEQ_K, 0, 1, type),
      insn(RET_K, 0, 0, ACCEPT),
      insn(RET_K, 0, 0, 0),
    ];
  },
  /** IPv4 frames carrying IP protocol `protocol` (1 ICMP, 6 TCP, 17 UDP). */
  ipProtocol(protocol: number): BpfInstruction[] {
    checkRange('protocol', protocol, 0xff);
    return [
      insn(LD_H_ABS, 0, 0, 12),
      insn(JEQ_K, 0, 3, ETHERTYPE_IPV4),
      insn(LD_B_ABS, 0, 0, 23),
      insn(JEQ_K, 0, 1, protocol),
      insn(RET_K, 0, 0, ACCEPT),
      insn(RET_K, 0, 0, 0),
    ];
  },
  /** ARP frames. */
  arp(): BpfInstruction[] {
    return filters.ethertype(0x0806);
  },
  /** IPv4 ICMP. */
  icmp(): BpfInstruction[] {
    return filters.ipProtocol(1);
  },
  /** IPv4 UDP. */
  udp(): BpfInstruction[] {
    return filters.ipProtocol(17);
  },
};

/** Packs a program for the addon (validating each field); exported for tests. */
export function packFilter(program: readonly BpfInstruction[]): Uint32Array {
  if (!Array.isArray(program)) {
    throw Object.assign(new TypeError('filter must be an array of BPF instructions'), {
      code: 'ERR_INVALID_ARG_TYPE',
    });
  }
  if (program.length === 0 || program.length > 4096) {
    throw Object.assign(new RangeError('filter must hold 1 to 4096 instructions'), {
      code: 'ERR_OUT_OF_RANGE',
    });
  }
  const out = new Uint32Array(program.length * 4);
  program.forEach((ins: unknown, i) => {
    if (typeof ins !== 'object' || ins === null) {
      throw Object.assign(new TypeError(`filter[${i}] must be { code, jt, jf, k }`), {
        code: 'ERR_INVALID_ARG_TYPE',
      });
    }
    const { code, jt, jf, k } = ins as BpfInstruction;
    out[i * 4] = checkRange(`filter[${i}].code`, code, 0xffff);
    out[i * 4 + 1] = checkRange(`filter[${i}].jt`, jt, 0xff);
    out[i * 4 + 2] = checkRange(`filter[${i}].jf`, jf, 0xff);
    out[i * 4 + 3] = checkRange(`filter[${i}].k`, k, 0xffffffff);
  });
  return out;
}
