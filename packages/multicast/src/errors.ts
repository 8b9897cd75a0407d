/** Every error netkit's multicast package throws on purpose carries a stable `code`; match on it. */
export class MulticastError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Thrown when a group address is an IP address but not a multicast one (224/4, ff00::/8). */
export class NotAGroupError extends MulticastError {
  readonly address: string;
  constructor(address: string) {
    super(
      'ERR_MCAST_NOT_A_GROUP',
      `${address} is not a multicast group (IPv4 groups are 224.0.0.0 to 239.255.255.255, IPv6 groups start with ff)`,
    );
    this.address = address;
  }
}

/** Thrown when a source-specific join names a group outside the SSM ranges (232/8, ff3x::/32). */
export class NotSourceSpecificError extends MulticastError {
  readonly group: string;
  constructor(group: string) {
    super(
      'ERR_MCAST_NOT_SOURCE_SPECIFIC',
      `${group} is not a source-specific group (RFC 4607: 232.0.0.0/8 for IPv4, ff3x::/32 for IPv6); pick a group there, or join without a source`,
    );
    this.group = group;
  }
}

/** Thrown when an interface name or address matches no interface of this host. */
export class UnknownInterfaceError extends MulticastError {
  readonly interface: string;
  constructor(iface: string, known: string[]) {
    super(
      'ERR_MCAST_UNKNOWN_INTERFACE',
      `no interface named or addressed ${JSON.stringify(iface)} on this host (interfaces: ${known.join(', ') || 'none'})`,
    );
    this.interface = iface;
  }
}

/** Thrown when an interface lacks the MULTICAST flag: groups joined there would never deliver. */
export class InterfaceNotMulticastError extends MulticastError {
  readonly interface: string;
  constructor(iface: string) {
    super(
      'ERR_MCAST_INTERFACE_NOT_MULTICAST',
      `interface ${iface} does not do multicast (no MULTICAST flag); pick another interface, or enable it: ip link set dev ${iface} multicast on`,
    );
    this.interface = iface;
  }
}

/** Thrown when an IPv4 group is joined or sent on an interface that has no IPv4 address. */
export class NoInterfaceAddressError extends MulticastError {
  readonly interface: string;
  constructor(iface: string, family: string) {
    super(
      'ERR_MCAST_NO_INTERFACE_ADDRESS',
      `interface ${iface} has no ${family} address to join or send on; give it one, or pick another interface`,
    );
    this.interface = iface;
  }
}

/**
 * Thrown when a link-local or interface-local IPv6 group (ff01::/16, ff02::/16) comes without an
 * interface: the same group exists on every link, so the kernel cannot pick one (RFC 4007).
 */
export class InterfaceRequiredError extends MulticastError {
  readonly group: string;
  readonly scope: number;
  constructor(group: string, scope: number) {
    super(
      'ERR_MCAST_INTERFACE_REQUIRED',
      `${group} is ${scope === 1 ? 'interface-local' : 'link-local'} (scope ${scope}): name the interface (interface: 'eth0', or the group as ${group}%eth0)`,
    );
    this.group = group;
    this.scope = scope;
  }
}
