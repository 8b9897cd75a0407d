/**
 * @packageDocumentation
 * `@netkit/multicast`: not implemented yet. This package reserves its name and place in the
 * workspace; its API arrives with netkit issue 6.
 */
export {};
