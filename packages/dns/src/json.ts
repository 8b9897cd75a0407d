/**
 * JSON that round-trips: `messageFromJSON(messageToJSON(m))` deep-equals a decoded `m`. Types,
 * classes, opcodes and rcodes as mnemonics (`TYPE65280` for unnamed ones), names as strings,
 * keys and signatures in base64, other binary fields in hex, and character-strings as strings or,
 * when they are not UTF-8, `{ "hex": "..." }`.
 */
import {
  classFromString,
  classToString,
  opcodeFromString,
  opcodeToString,
  rcodeFromString,
  rcodeToString,
  typeFromString,
  typeToString,
} from './constants.js';
import { fromBase64, fromHex, toBase64, toHex } from './encoding.js';
import { describe } from './errors.js';
import { encode } from './message.js';
import { isKnownType } from './records/index.js';
import type { OptData } from './records/opt.js';
import type { SvcbData } from './records/svcb.js';
import type { CharacterString } from './strings.js';
import type { Message, Question, ResourceRecord } from './types.js';
import { invalid } from './writer.js';

/** Any JSON value. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

export interface QuestionJSON {
  name: string;
  type: string;
  class: string;
}

export interface RecordJSON {
  name: string;
  type: string;
  /** Absent for OPT. */
  class?: string;
  ttl?: number;
  data: JsonValue;
}

export interface MessageJSON {
  id: number;
  qr: boolean;
  opcode: string;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  z: boolean;
  ad: boolean;
  cd: boolean;
  rcode: string;
  questions: QuestionJSON[];
  answers: RecordJSON[];
  authorities: RecordJSON[];
  additionals: RecordJSON[];
}

/** How a field of `data` is shown in JSON; fields not listed are copied as they are. */
type Kind = 'hex' | 'base64' | 'text' | 'texts' | 'type' | 'types';

const FIELDS: Record<string, Record<string, Kind>> = {
  TXT: { '': 'texts' },
  HINFO: { cpu: 'text', os: 'text' },
  NAPTR: { flags: 'text', services: 'text', regexp: 'text' },
  CAA: { value: 'text' },
  DS: { digest: 'hex' },
  DNSKEY: { publicKey: 'base64' },
  RRSIG: { typeCovered: 'type', signature: 'base64' },
  NSEC: { types: 'types' },
  NSEC3: { salt: 'hex', nextHashedOwnerName: 'hex', types: 'types' },
  TLSA: { associationData: 'hex' },
  SSHFP: { fingerprint: 'hex' },
};

const OPTION_FIELDS: Record<number, Record<string, Kind>> = {
  10: { client: 'hex', server: 'hex' },
  15: { extraText: 'text' },
};

const PARAM_FIELDS: Record<string, Kind> = { alpn: 'texts', ech: 'base64' };

const SVC_KEYS = ['mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint'];

function textToJSON(v: CharacterString): JsonValue {
  return typeof v === 'string' ? v : { hex: toHex(v) };
}

function toJSONValue(kind: Kind, v: unknown): JsonValue {
  switch (kind) {
    case 'hex':
      return toHex(v as Uint8Array);
    case 'base64':
      return toBase64(v as Uint8Array);
    case 'text':
      return textToJSON(v as CharacterString);
    case 'texts':
      return (v as CharacterString[]).map(textToJSON);
    case 'type':
      return typeToString(v as number);
    case 'types':
      return (v as number[]).map(typeToString);
  }
}

function convert(
  obj: object,
  fields: Record<string, Kind>,
  fn: (kind: Kind, v: unknown, field: string) => unknown,
  path: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    const kind = fields[key];
    out[key] =
      kind === undefined || value === undefined ? value : fn(kind, value, `${path}.${key}`);
  }
  return out;
}

function recordToJSON(rr: ResourceRecord): RecordJSON {
  const type = typeToString(rr.type);
  if (type === 'OPT') {
    const d = rr.data as OptData;
    return {
      name: rr.name,
      type,
      data: {
        ...d,
        options: d.options.map((o) => {
          const fields = OPTION_FIELDS[o.code];
          if (fields) return convert(o, fields, toJSONValue, '') as JsonValue;
          if ('data' in o) return { code: o.code, data: toHex(o.data) };
          return { ...o } as JsonValue;
        }),
      } as unknown as JsonValue,
    };
  }
  const r = rr as Exclude<ResourceRecord, { type: 41 }>;
  let data: unknown;
  const fields = FIELDS[type];
  if (type === 'SVCB' || type === 'HTTPS') {
    const d = r.data as SvcbData;
    const params = convert(d.params, PARAM_FIELDS, toJSONValue, '');
    if (d.params.mandatory)
      params.mandatory = d.params.mandatory.map((k) => SVC_KEYS[k] ?? `key${k}`);
    if (d.params.other)
      params.other = d.params.other.map((o) => ({ key: o.key, value: toHex(o.value) }));
    data = { ...d, params };
  } else if (fields?.[''] === 'texts') {
    data = toJSONValue('texts', r.data);
  } else if (fields) {
    data = convert(r.data as object, fields, toJSONValue, '');
  } else if (!isKnownType(r.type)) {
    data = toHex(r.data as Uint8Array);
  } else {
    data = typeof r.data === 'object' ? { ...(r.data as object) } : r.data;
  }
  return { name: r.name, type, class: classToString(r.class), ttl: r.ttl, data: data as JsonValue };
}

function questionToJSON(q: Question): QuestionJSON {
  return { name: q.name, type: typeToString(q.type), class: classToString(q.class) };
}

/** A message as a JSON-safe object (see the file comment for the mapping). */
export function messageToJSON(message: Message): MessageJSON {
  const m = message;
  return {
    id: m.id,
    qr: m.qr,
    opcode: opcodeToString(m.opcode),
    aa: m.aa,
    tc: m.tc,
    rd: m.rd,
    ra: m.ra,
    z: m.z,
    ad: m.ad,
    cd: m.cd,
    rcode: rcodeToString(m.rcode),
    questions: m.questions.map(questionToJSON),
    answers: m.answers.map(recordToJSON),
    authorities: m.authorities.map(recordToJSON),
    additionals: m.additionals.map(recordToJSON),
  };
}

// From JSON: shapes are checked here, values by encode() at the end.

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shape<T>(ok: boolean, value: T, field: string, what: string): T {
  if (!ok) throw invalid(field, `expected ${what}, got ${describe(value)}`);
  return value;
}

function mnemonic(
  v: unknown,
  field: string,
  parse: (s: string) => number | undefined,
  what: string,
): number {
  if (typeof v === 'number') return v;
  const n = typeof v === 'string' ? parse(v) : undefined;
  return shape(n !== undefined, n as number, field, what);
}

function fromJSONValue(kind: Kind, v: unknown, field: string): unknown {
  switch (kind) {
    case 'hex': {
      const b = typeof v === 'string' ? fromHex(v) : undefined;
      return shape(b !== undefined, b, field, 'a hex string');
    }
    case 'base64': {
      const b = typeof v === 'string' ? fromBase64(v) : undefined;
      return shape(b !== undefined, b, field, 'a base64 string');
    }
    case 'text': {
      if (typeof v === 'string') return v;
      const b = isObject(v) && typeof v.hex === 'string' ? fromHex(v.hex) : undefined;
      return shape(b !== undefined, b, field, 'a string or { hex }');
    }
    case 'texts':
      shape(Array.isArray(v), v, field, 'an array');
      return (v as unknown[]).map((x, i) => fromJSONValue('text', x, `${field}[${i}]`));
    case 'type':
      return mnemonic(v, field, typeFromString, 'a record type');
    case 'types':
      shape(Array.isArray(v), v, field, 'an array');
      return (v as unknown[]).map((x, i) =>
        mnemonic(x, `${field}[${i}]`, typeFromString, 'a record type'),
      );
  }
}

function svcKeyFromString(s: string): number | undefined {
  const i = SVC_KEYS.indexOf(s);
  if (i >= 0) return i;
  const m = /^key(\d{1,5})$/.exec(s);
  return m && Number(m[1]) <= 0xffff ? Number(m[1]) : undefined;
}

function dataFromJSON(type: number, data: unknown, field: string): unknown {
  const name = typeToString(type);
  const fields = FIELDS[name];
  if (name === 'SVCB' || name === 'HTTPS') {
    shape(isObject(data) && isObject(data.params), data, field, 'an object with params');
    const d = data as Record<string, Record<string, unknown>>;
    const p = d.params!;
    const params = convert(p, PARAM_FIELDS, fromJSONValue, `${field}.params`);
    if (p.mandatory !== undefined) {
      shape(Array.isArray(p.mandatory), p.mandatory, `${field}.params.mandatory`, 'an array');
      params.mandatory = (p.mandatory as unknown[]).map((k, i) =>
        mnemonic(k, `${field}.params.mandatory[${i}]`, svcKeyFromString, 'a SvcParamKey'),
      );
    }
    if (p.other !== undefined) {
      shape(Array.isArray(p.other), p.other, `${field}.params.other`, 'an array');
      params.other = (p.other as unknown[]).map((o, i) => {
        shape(isObject(o), o, `${field}.params.other[${i}]`, 'an object');
        const entry = o as Record<string, unknown>;
        return {
          key: entry.key,
          value: fromJSONValue('hex', entry.value, `${field}.params.other[${i}].value`),
        };
      });
    }
    return { ...d, params };
  }
  if (fields?.[''] === 'texts') return fromJSONValue('texts', data, field);
  if (fields) {
    shape(isObject(data), data, field, 'an object');
    return convert(data as object, fields, fromJSONValue, field);
  }
  // Types without a codec: opaque RDATA in hex.
  if (!isKnownType(type)) return fromJSONValue('hex', data, field);
  return isObject(data) ? { ...data } : data;
}

function optionFromJSON(o: unknown, field: string): unknown {
  shape(isObject(o), o, field, 'an object');
  const option = o as Record<string, unknown>;
  const code = option.code;
  const fields = typeof code === 'number' ? OPTION_FIELDS[code] : undefined;
  if (fields) return convert(option, fields, fromJSONValue, field);
  if (code === 8 || code === 12) return { ...option };
  return { code, data: fromJSONValue('hex', option.data, `${field}.data`) };
}

function recordFromJSON(v: unknown, field: string): ResourceRecord {
  shape(isObject(v), v, field, 'a record object');
  const r = v as Record<string, unknown>;
  const type = mnemonic(r.type, `${field}.type`, typeFromString, 'a record type');
  if (type === 41) {
    shape(isObject(r.data), r.data, `${field}.data`, 'an object');
    const d = r.data as Record<string, unknown>;
    shape(Array.isArray(d.options), d.options, `${field}.data.options`, 'an array');
    const options = (d.options as unknown[]).map((o, i) =>
      optionFromJSON(o, `${field}.data.options[${i}]`),
    );
    return { name: r.name, type, data: { ...d, options } } as ResourceRecord;
  }
  return {
    name: r.name,
    type,
    class: mnemonic(r.class, `${field}.class`, classFromString, 'a class'),
    ttl: r.ttl,
    data: dataFromJSON(type, r.data, `${field}.data`),
  } as ResourceRecord;
}

function section(v: unknown, field: string): ResourceRecord[] {
  if (v === undefined) return [];
  shape(Array.isArray(v), v, field, 'an array');
  return (v as unknown[]).map((r, i) => recordFromJSON(r, `${field}[${i}]`));
}

/**
 * A Message from `messageToJSON` output (or JSON.parse of it). Throws DnsInvalidError naming the
 * field when something is missing, mistyped, or could not be encoded.
 */
export function messageFromJSON(json: unknown): Message {
  shape(isObject(json), json, 'message', 'an object');
  const j = json as Record<string, unknown>;
  const questions = j.questions === undefined ? [] : j.questions;
  shape(Array.isArray(questions), questions, 'questions', 'an array');
  const message: Message = {
    id: (j.id ?? 0) as number,
    qr: (j.qr ?? false) as boolean,
    opcode:
      j.opcode === undefined ? 0 : mnemonic(j.opcode, 'opcode', opcodeFromString, 'an opcode'),
    aa: (j.aa ?? false) as boolean,
    tc: (j.tc ?? false) as boolean,
    rd: (j.rd ?? false) as boolean,
    ra: (j.ra ?? false) as boolean,
    z: (j.z ?? false) as boolean,
    ad: (j.ad ?? false) as boolean,
    cd: (j.cd ?? false) as boolean,
    rcode: j.rcode === undefined ? 0 : mnemonic(j.rcode, 'rcode', rcodeFromString, 'an rcode'),
    questions: (questions as unknown[]).map((q, i) => {
      shape(isObject(q), q, `questions[${i}]`, 'a question object');
      const question = q as Record<string, unknown>;
      return {
        name: question.name as string,
        type: mnemonic(question.type, `questions[${i}].type`, typeFromString, 'a record type'),
        class: mnemonic(question.class, `questions[${i}].class`, classFromString, 'a class'),
      };
    }),
    answers: section(j.answers, 'answers'),
    authorities: section(j.authorities, 'authorities'),
    additionals: section(j.additionals, 'additionals'),
  };
  encode(message);
  return message;
}
