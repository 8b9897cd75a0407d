/**
 * @packageDocumentation
 * `@netkit/dns`: not implemented yet. This package reserves its name and place in the
 * workspace; its API arrives with netkit issue 4.
 */
export {};
