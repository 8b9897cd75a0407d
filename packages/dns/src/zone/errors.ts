/** The error the zone-file parser throws: what is wrong and where (file and line). */
import { DnsError } from '../errors.js';

/**
 * Thrown by `parseZone` and `parseRdata` for text that is not a valid master file or RDATA:
 * `line` is the 1-based line where the problem was found, `fileName` the name given in the
 * options (if any), `reason` what is wrong. The message reads `file.zone:12: reason`.
 */
export class DnsZoneError extends DnsError {
  declare readonly code: 'ERR_DNS_ZONE';
  /** 1-based line number in the text parsed (0 for a bad option). */
  readonly line: number;
  /** `ZoneOptions.fileName`, when one was given. */
  readonly fileName: string | undefined;
  /** What is wrong, without the location. */
  readonly reason: string;
  constructor(reason: string, line: number, fileName?: string, options?: ErrorOptions) {
    super('ERR_DNS_ZONE', `${fileName ? `${fileName}:` : 'line '}${line}: ${reason}`, options);
    this.line = line;
    this.fileName = fileName;
    this.reason = reason;
  }
}
