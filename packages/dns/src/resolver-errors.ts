import { rcodeToString } from './constants.js';
import { DnsError } from './errors.js';

/** A query got no usable answer in time from any server (after every attempt). */
export class DnsTimeoutError extends DnsError {
  constructor(message: string) {
    super('ERR_NETKIT_TIMEOUT', message);
  }
}

/** A query's AbortSignal fired; `cause` is the signal's reason. */
export class DnsAbortedError extends DnsError {
  constructor(message: string, reason?: unknown) {
    super('ERR_NETKIT_ABORTED', message, { cause: reason });
  }
}

/** query() on a Resolver after close(). */
export class DnsClosedError extends DnsError {
  constructor() {
    super('ERR_DNS_RESOLVER_CLOSED', 'the resolver is closed: create a new Resolver');
  }
}

/** Every server answered with an error (SERVFAIL, REFUSED...) or failed. */
export class DnsServerError extends DnsError {
  readonly rcode: number | undefined;
  constructor(message: string, rcode?: number, options?: ErrorOptions) {
    super('ERR_DNS_SERVER_FAILURE', message, options);
    this.rcode = rcode;
  }
}

/** The name does not exist (NXDOMAIN): thrown by the resolve* helpers, not by query(). */
export class DnsNotFoundError extends DnsError {
  constructor(name: string) {
    super('ERR_DNS_NXDOMAIN', `${name} does not exist (NXDOMAIN)`);
  }
}

/** The name exists but has no record of that type (NODATA): thrown by the resolve* helpers. */
export class DnsNoDataError extends DnsError {
  constructor(name: string, type: string) {
    super('ERR_DNS_NODATA', `${name} has no ${type} record (NODATA)`);
  }
}

export function rcodeName(rcode: number): string {
  return rcodeToString(rcode);
}
