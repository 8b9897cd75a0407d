/** Largest UDP payload over IPv4: 65,535 - 20 (IPv4 header) - 8 (UDP header). */
export const MAX_UDP_PAYLOAD_IPV4 = 65_507;
/** Largest UDP payload over IPv6 without jumbograms: 65,535 - 8 (the UDP header; RFC 8200 payload length excludes the IPv6 header). */
export const MAX_UDP_PAYLOAD_IPV6 = 65_527;

export function maxPayload(family: 'IPv4' | 'IPv6'): number {
  return family === 'IPv6' ? MAX_UDP_PAYLOAD_IPV6 : MAX_UDP_PAYLOAD_IPV4;
}
