// Authoritative answers from a set of records, the way an authoritative server reads its zones:
// exact matches and CNAME chains, DNAME synthesis (RFC 6672), wildcards (RFC 4592), referrals at
// zone cuts, NXDOMAIN and NODATA with the SOA whose TTL is min(SOA TTL, MINIMUM) (RFC 2308 3).
import { Rcode, RecordType } from './constants.js';
import type { SoaData } from './records/soa.js';
import type { DnsAnswer, DnsHandler } from './server.js';
import type { DnameRecord, Message, ResourceRecord, SoaRecord } from './types.js';

/** Hops of CNAME and DNAME followed inside the data (a loop in the zone must not hang). */
const MAX_HOPS = 8;

/** "a.b.c" -> ["a.b.c", "b.c", "c"] (lower case, no trailing dot). */
function ancestorsOf(name: string): string[] {
  const out = [name];
  for (let at = name.indexOf('.'); at !== -1; at = name.indexOf('.', at + 1)) {
    out.push(name.slice(at + 1));
  }
  return out;
}

/** Strips a trailing dot (zone data and questions may have one or not). */
function bare(name: string): string {
  return name.length > 1 && name.endsWith('.') ? name.slice(0, -1) : name;
}

/** The SOA for a negative answer: its TTL is min(SOA TTL, SOA MINIMUM) (RFC 2308 3). */
function negativeSoa(soa: SoaRecord): ResourceRecord {
  const minimum = (soa.data as SoaData).minimum;
  return minimum < soa.ttl ? { ...soa, ttl: minimum } : soa;
}

/**
 * Answers authoritatively from a set of records: exact names, CNAME chains, DNAME synthesis,
 * wildcards, referrals below zone cuts (NS below an apex: AA=0, NS in AUTHORITY, addresses of
 * the name servers in ADDITIONAL), NXDOMAIN and NODATA with the zone's SOA; REFUSED outside
 * every zone (a zone is a name with an SOA).
 */
export function recordsHandler(records: ResourceRecord[]): DnsHandler {
  const byName = new Map<string, ResourceRecord[]>();
  const apexes = new Map<string, SoaRecord>();
  for (const record of records) {
    const key = bare(record.name.toLowerCase());
    const list = byName.get(key);
    if (list) list.push(record);
    else byName.set(key, [record]);
    if (record.type === RecordType.SOA) apexes.set(key, record as SoaRecord);
  }
  // Names with no records but names below them (empty non-terminals, like _tcp.example.)
  // exist: NODATA, not NXDOMAIN (RFC 8020), and no wildcard matches them (RFC 4592 2.2.2).
  const nonTerminals = new Set<string>();
  for (const owner of byName.keys()) {
    for (const parent of ancestorsOf(owner).slice(1)) {
      if (!byName.has(parent)) nonTerminals.add(parent);
    }
  }
  const exists = (name: string) => byName.has(name) || nonTerminals.has(name);
  const zoneOf = (name: string): { apex: string; soa: SoaRecord } | undefined => {
    for (const candidate of ancestorsOf(name)) {
      const soa = apexes.get(candidate);
      if (soa) return { apex: candidate, soa };
    }
    const root = apexes.get('.');
    return root ? { apex: '.', soa: root } : undefined;
  };
  const ofType = (list: ResourceRecord[] | undefined, type: number) =>
    list?.filter((r) => r.type === type) ?? [];
  /** Addresses of the name servers that the data holds (glue and in-zone addresses). */
  const glueFor = (ns: ResourceRecord[]) =>
    ns.flatMap((r) => {
      const here = byName.get(bare((r.data as string).toLowerCase()));
      return here?.filter((x) => x.type === RecordType.A || x.type === RecordType.AAAA) ?? [];
    });

  return (query: Message): DnsAnswer => {
    const q = query.questions[0]!;
    const qtype = q.type;
    const answers: ResourceRecord[] = [];
    let owner = bare(q.name); // as asked (case kept), then each CNAME's target
    const aa = true;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const name = owner.toLowerCase();
      // Records outside any zone (no SOA above them) are still answered by exact name.
      const zone = zoneOf(name);
      const soa = zone ? [negativeSoa(zone.soa)] : [];

      // From the apex down to the name: a zone cut gives a referral, a DNAME above the name
      // rewrites it (the first one met, top down, wins).
      const path = ancestorsOf(name);
      const below = !zone ? -1 : zone.apex === '.' ? path.length - 1 : path.indexOf(zone.apex);
      let next: string | undefined;
      for (let i = below; i >= 0; i--) {
        const at = path[i]!;
        const here = byName.get(at);
        if (!here) continue;
        const ns = at !== zone?.apex ? ofType(here, RecordType.NS) : [];
        // DS lives on the parent side of the cut (RFC 4035 3.1.4.1).
        if (ns.length && !(at === name && qtype === RecordType.DS)) {
          return {
            aa: answers.length > 0 && aa,
            answers,
            authorities: ns,
            additionals: glueFor(ns),
          };
        }
        const dname = at !== name ? (ofType(here, RecordType.DNAME)[0] as DnameRecord) : undefined;
        if (dname) {
          const prefix = owner.slice(0, owner.length - at.length - 1);
          const target = bare(dname.data as string);
          const rewritten = target === '.' || target === '' ? prefix : `${prefix}.${target}`;
          answers.push(dname);
          // RFC 6672 2.2: a name that would be too long is YXDOMAIN.
          if (rewritten.length > 253) return { aa, rcode: Rcode.YXDOMAIN, answers };
          answers.push({
            name: owner,
            type: RecordType.CNAME,
            class: dname.class,
            ttl: dname.ttl,
            data: rewritten,
          });
          next = rewritten;
          break;
        }
      }
      if (next !== undefined) {
        owner = next;
        continue;
      }

      let here = byName.get(name);
      if (!here) {
        if (!zone) return answers.length ? { aa, answers } : { rcode: Rcode.REFUSED };
        if (nonTerminals.has(name)) return { aa, answers, authorities: soa };
        // RFC 4592: the closest encloser's wildcard, if any, answers for a name that does not exist.
        const encloser = path.find((p) => exists(p) || p === zone.apex);
        const wild = encloser && byName.get(encloser === '.' ? '*' : `*.${encloser}`);
        if (!wild) {
          return {
            aa,
            rcode: answers.length ? Rcode.NOERROR : Rcode.NXDOMAIN,
            answers,
            authorities: soa,
          };
        }
        here = wild.map((r) => ({ ...r, name: owner }));
      }
      const matching = here.filter((r) => r.type === qtype || qtype === 255 /* ANY */);
      if (matching.length) return { aa, answers: [...answers, ...matching] };
      const cname = here.find((r) => r.type === RecordType.CNAME);
      if (!cname || qtype === RecordType.CNAME) return { aa, answers, authorities: soa };
      answers.push(cname);
      owner = bare(cname.data as string);
    }
    return { aa, answers };
  };
}
