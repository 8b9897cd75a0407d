/** Master files (RFC 1035 5): the zone-file parser. */
export { DnsZoneError } from './errors.js';
export { parseRdata, parseZone, type ZoneOptions, type ZoneRecord } from './parse.js';
