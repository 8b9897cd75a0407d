/**
 * @packageDocumentation
 * `@netkit/multicast`: IP multicast over IPv4 and IPv6 on top of `@netkit/udp`: join and leave
 * groups (any-source or source-specific) by interface name or address, send with a TTL, loopback
 * and outgoing interface set in any order, collect the replies to a datagram sent to a group, and
 * a receiver that acknowledges each datagram.
 *
 * @example
 * ```ts
 * import { collectReplies, createAckReceiver } from '@netkit/multicast';
 *
 * const receiver = await createAckReceiver({ group: '239.255.0.1', port: 10000, interface: '127.0.0.1' });
 * const { replies } = await collectReplies({ group: '239.255.0.1', port: 10000 }, 'Very important data', {
 *   interface: '127.0.0.1',
 *   timeout: 500,
 * });
 * console.log(replies.map((r) => r.data.toString())); // [ 'ack' ]
 * await receiver.close();
 * ```
 */

export { AbortedError, TimeoutError } from '@netkit/udp';
export {
  type CollectOptions,
  type CollectResult,
  collectReplies,
  type GroupReply,
} from './collect.js';
export {
  InterfaceNotMulticastError,
  InterfaceRequiredError,
  MulticastError,
  NoInterfaceAddressError,
  NotAGroupError,
  NotSourceSpecificError,
  UnknownInterfaceError,
} from './errors.js';
export {
  type GroupFamily,
  ipv6GroupScope,
  isMulticastAddress,
  isSourceSpecificGroup,
} from './group.js';
export {
  type MulticastInterface,
  multicastInterfaces,
  type ResolvedInterface,
  resolveInterface,
  supportsMulticast,
} from './interfaces.js';
export {
  AckReceiver,
  type AckReceiverOptions,
  type AckReceiverStats,
  createAckReceiver,
  type JoinGroupOptions,
  joinGroup,
} from './receiver.js';
export {
  createMulticastSocket,
  type Membership,
  type MembershipOptions,
  type MulticastDatagram,
  MulticastSocket,
  type MulticastSocketOptions,
  type MulticastTarget,
} from './socket.js';
