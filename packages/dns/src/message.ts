/**
 * Whole messages (RFC 1035 4.1): encode with name compression into one buffer sized up front,
 * decode with every read bounds-checked. No state outlives a call.
 */
import { RecordType, typeToString } from './constants.js';
import { DnsInvalidError, describe } from './errors.js';
import { AA, AD, CD, QR, RA, RD, TC, Z } from './header.js';
import { readName, writeName } from './name.js';
import { Reader } from './reader.js';
import { codecFor } from './records/index.js';
import { type OptData, opt } from './records/opt.js';
import type { Message, MessageInput, OptRecord, Question, ResourceRecord } from './types.js';
import { array, boolean, invalid, object, u8, u16, u32, Writer } from './writer.js';

/** RFC 1035 4.2.2: a message is at most 65535 octets (the TCP length prefix). */
const MAX_MESSAGE = 0xffff;

const NONE: readonly never[] = [];

function flag(v: boolean | undefined, field: string): boolean {
  return v === undefined ? false : boolean(v, field);
}

function list<T>(v: readonly T[] | undefined, field: string): readonly T[] {
  if (v === undefined) return NONE;
  array(v, field);
  if (v.length > 0xffff) throw invalid(field, `${v.length} entries is more than 65535`);
  return v;
}

function withPrefix(e: unknown, prefix: string): unknown {
  return e instanceof DnsInvalidError ? new DnsInvalidError(`${prefix}.${e.field}`, e.reason) : e;
}

/** An estimate of the encoded size, from text lengths (escapes only shrink names). */
function estimate(
  sections: readonly (readonly ResourceRecord[])[],
  questions: readonly Question[],
): number {
  let n = 12;
  for (const q of questions) n += q.name.length + 6;
  for (const section of sections) {
    for (const rr of section) {
      n += rr.name.length + 12;
      n +=
        rr.type === RecordType.OPT
          ? opt.bound((rr as OptRecord).data.options)
          : codecFor(rr.type).bound(rr.data);
    }
  }
  return n;
}

function writeQuestion(w: Writer, q: Question): void {
  object(q, 'question');
  writeName(w, q.name, true, 'name');
  const type = u16(q.type, 'type');
  const cls = u16(q.class, 'class');
  w.u16(type);
  w.u16(cls);
}

function writeOpt(w: Writer, data: OptData): void {
  object(data, 'data');
  w.u16(u16(data.udpPayloadSize, 'data.udpPayloadSize'));
  const version = u8(data.version, 'data.version');
  const dnssecOk = boolean(data.dnssecOk, 'data.dnssecOk');
  const z = u16(data.z, 'data.z');
  if (z > 0x7fff) throw invalid('data.z', `${z} does not fit the 15 bits after DO`);
  // RFC 6891 6.1.3: EXTENDED-RCODE | VERSION | DO | Z.
  w.u8(w.rcodeHigh);
  w.u8(version);
  w.u16((dnssecOk ? 0x8000 : 0) | z);
  const at = w.startLength();
  opt.write(w, data.options);
  w.endLength(at, 'data.options', 'OPT RDATA');
}

function writeRecord(w: Writer, rr: ResourceRecord): void {
  object(rr, 'record');
  writeName(w, rr.name, true, 'name');
  const type = u16(rr.type, 'type');
  w.u16(type);
  if (type === RecordType.OPT) {
    writeOpt(w, (rr as OptRecord).data);
    return;
  }
  const record = rr as Exclude<ResourceRecord, OptRecord>;
  w.u16(u16(record.class, 'class'));
  w.u32(u32(record.ttl, 'ttl'));
  const at = w.startLength();
  codecFor(type).write(w, record.data);
  w.endLength(at, 'data', 'RDATA');
}

function writeMessage(message: MessageInput): Writer {
  if (typeof message !== 'object' || message === null) {
    throw invalid('message', `expected an object, got ${describe(message)}`);
  }
  const m = message;
  const questions = list(m.questions, 'questions');
  const answers = list(m.answers, 'answers');
  const authorities = list(m.authorities, 'authorities');
  const additionals = list(m.additionals, 'additionals');
  const id = m.id === undefined ? 0 : u16(m.id, 'id');
  const opcode = m.opcode === undefined ? 0 : u8(m.opcode, 'opcode');
  if (opcode > 15) throw invalid('opcode', `${opcode} does not fit 4 bits`);
  const rcode = m.rcode === undefined ? 0 : u16(m.rcode, 'rcode');
  if (rcode > 0xfff) throw invalid('rcode', `${rcode} does not fit 12 bits (RFC 6891 6.1.3)`);
  const flags =
    (flag(m.qr, 'qr') ? QR : 0) |
    (opcode << 11) |
    (flag(m.aa, 'aa') ? AA : 0) |
    (flag(m.tc, 'tc') ? TC : 0) |
    (flag(m.rd, 'rd') ? RD : 0) |
    (flag(m.ra, 'ra') ? RA : 0) |
    (flag(m.z, 'z') ? Z : 0) |
    (flag(m.ad, 'ad') ? AD : 0) |
    (flag(m.cd, 'cd') ? CD : 0) |
    (rcode & 0xf);

  let size = 512;
  try {
    const n = estimate([answers, authorities, additionals], questions);
    // NaN (a field of the wrong type) keeps 512; the writes below say what is wrong.
    if (n > 0) size = Math.min(n, MAX_MESSAGE + 1);
  } catch {
    // Something is malformed; the writes below say what.
  }
  // From Node's buffer pool: much cheaper than a fresh ArrayBuffer per message. Only the
  // octets written are returned (a view into the pool, like Buffer.from's).
  const w = new Writer(Buffer.allocUnsafe(size), 0, true, false);
  w.rcodeHigh = rcode >>> 4;
  w.u16(id);
  w.u16(flags);
  w.u16(questions.length);
  w.u16(answers.length);
  w.u16(authorities.length);
  w.u16(additionals.length);
  for (let i = 0; i < questions.length; i++) {
    try {
      writeQuestion(w, questions[i]!);
    } catch (e) {
      throw withPrefix(e, `questions[${i}]`);
    }
  }
  writeSection(w, answers, 'answers');
  writeSection(w, authorities, 'authorities');
  const opts = writeSection(w, additionals, 'additionals');
  if (rcode > 15 && opts === 0) {
    throw invalid('rcode', `${rcode} needs an OPT record in additionals to carry its upper bits`);
  }
  if (w.pos > MAX_MESSAGE) throw invalid('message', `${w.pos} octets is more than ${MAX_MESSAGE}`);
  return w;
}

/** Writes one section; returns how many OPT records it held. */
function writeSection(w: Writer, records: readonly ResourceRecord[], section: string): number {
  let opts = 0;
  for (let i = 0; i < records.length; i++) {
    const rr = records[i]!;
    try {
      if (rr !== null && typeof rr === 'object' && rr.type === RecordType.OPT) {
        // RFC 6891 6.1.1: OPT goes in the additional data section, once per message.
        if (section !== 'additionals')
          throw invalid('type', 'an OPT record belongs in additionals');
        if (++opts > 1) throw invalid('type', 'a message carries at most one OPT record');
      }
      writeRecord(w, rr);
    } catch (e) {
      throw withPrefix(e, `${section}[${i}]`);
    }
  }
  return opts;
}

/**
 * Encodes a message (missing fields default to 0, false and []). Names are compressed (RFC 1035
 * 4.1.4) in questions, owner names and the RDATA of NS, CNAME, SOA, PTR and MX. Throws
 * DnsInvalidError naming the field if any value cannot be written as valid DNS.
 */
export function encode(message: MessageInput): Uint8Array {
  const w = writeMessage(message);
  // A plain Uint8Array (not the pool's Buffer, whose slice() would not copy).
  return new Uint8Array(w.buf.buffer, w.buf.byteOffset, w.pos);
}

/** Octets `encode(message)` returns. Compression makes it depend on the whole message. */
export function encodingLength(message: MessageInput): number {
  return writeMessage(message).pos;
}

/** Section being read, for the OPT placement rules. */
const ADDITIONAL = 3;

function readRecord(r: Reader, section: number, state: { opt: number }): ResourceRecord {
  const name = readName(r, 'owner name');
  const p = r.pos;
  r.need(10, 'TYPE, CLASS, TTL and RDLENGTH');
  const b = r.bytes;
  const type = (b[p]! << 8) | b[p + 1]!;
  const cls = (b[p + 2]! << 8) | b[p + 3]!;
  const ttl = b[p + 4]! * 0x1000000 + ((b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!);
  const len = (b[p + 8]! << 8) | b[p + 9]!;
  const start = p + 10;
  const end = start + len;
  if (end > r.length) {
    r.fail(
      `RDLENGTH ${len} runs past the end of the message (${r.length - start} octets left)`,
      p + 8,
    );
  }
  r.pos = start;
  r.limit = end;
  let rr: ResourceRecord;
  if (type === RecordType.OPT) {
    if (section !== ADDITIONAL) r.fail('OPT record outside the additional section', p);
    if (state.opt >= 0) r.fail('more than one OPT record (RFC 6891 6.1.1)', p);
    state.opt = ttl >>> 24;
    rr = {
      name,
      type,
      data: {
        udpPayloadSize: cls,
        version: (ttl >>> 16) & 0xff,
        dnssecOk: (ttl & 0x8000) !== 0,
        z: ttl & 0x7fff,
        options: opt.read(r),
      },
    };
  } else {
    rr = { name, type, class: cls, ttl, data: codecFor(type).read(r) };
  }
  if (r.pos !== end) {
    r.fail(
      `${typeToString(type)} RDATA ends ${end - r.pos} octets before its RDLENGTH ${len}`,
      r.pos,
    );
  }
  r.limit = r.length;
  return rr;
}

/**
 * Decodes a whole message. Throws DnsMalformedError (code ERR_DNS_MALFORMED, with the offset)
 * for anything that is not a well-formed message, and nothing else.
 */
export function decode(bytes: Uint8Array): Message {
  if (!(bytes instanceof Uint8Array))
    throw new TypeError('decode(bytes): bytes must be a Uint8Array');
  const r = new Reader(bytes);
  if (r.length < 12) r.fail(`header needs 12 octets, the message has ${r.length}`, 0);
  if (r.length > MAX_MESSAGE)
    r.fail(`message of ${r.length} octets is longer than ${MAX_MESSAGE}`, 0);
  const b = r.bytes;
  const id = (b[0]! << 8) | b[1]!;
  const flags = (b[2]! << 8) | b[3]!;
  const qdcount = (b[4]! << 8) | b[5]!;
  const ancount = (b[6]! << 8) | b[7]!;
  const nscount = (b[8]! << 8) | b[9]!;
  const arcount = (b[10]! << 8) | b[11]!;
  r.pos = 12;
  const questions: Question[] = [];
  for (let i = 0; i < qdcount; i++) {
    const name = readName(r, 'question name');
    const type = r.u16('question TYPE');
    questions.push({ name, type, class: r.u16('question CLASS') });
  }
  const state = { opt: -1 };
  const answers: ResourceRecord[] = [];
  for (let i = 0; i < ancount; i++) answers.push(readRecord(r, 1, state));
  const authorities: ResourceRecord[] = [];
  for (let i = 0; i < nscount; i++) authorities.push(readRecord(r, 2, state));
  const additionals: ResourceRecord[] = [];
  for (let i = 0; i < arcount; i++) additionals.push(readRecord(r, ADDITIONAL, state));
  if (r.pos !== r.length) r.fail(`${r.length - r.pos} octets after the last record`, r.pos);
  return {
    id,
    qr: (flags & QR) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & AA) !== 0,
    tc: (flags & TC) !== 0,
    rd: (flags & RD) !== 0,
    ra: (flags & RA) !== 0,
    z: (flags & Z) !== 0,
    ad: (flags & AD) !== 0,
    cd: (flags & CD) !== 0,
    // RFC 6891 6.1.3: the OPT TTL's upper 8 bits extend RCODE to 12 bits.
    rcode: state.opt > 0 ? (state.opt << 4) | (flags & 0xf) : flags & 0xf,
    questions,
    answers,
    authorities,
    additionals,
  };
}
