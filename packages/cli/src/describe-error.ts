/**
 * The library's hints name its options (reuseAddr, broadcast: true); on the command line the
 * fix is a flag. Keyed by errno code and what was being done.
 */
const FLAG_HINTS: { code: string; action: RegExp; hint: string }[] = [
  { code: 'EACCES', action: /^sending/, hint: 'add --broadcast to send to a broadcast address' },
  {
    // mcast listen binds the group address and always shares the port (SO_REUSEADDR): the
    // holder is a program that did not set it. Before the generic UDP entry below.
    code: 'EADDRINUSE',
    action: /^binding (2(2[4-9]|3\d)\.|\[ff)/i,
    hint: 'a program that did not set SO_REUSEADDR holds that port; stop it, set reuseaddr there too, or pick another PORT',
  },
  {
    // UDP only ("binding ..."): the tcp commands have no --reuse-addr and keep the library's hint.
    code: 'EADDRINUSE',
    action: /^binding/,
    hint: 'another socket holds that port; pick another --port, or give --reuse-addr to every listener sharing it',
  },
];

/** "<what failed>: <why> (<what to do>)" for any error, with CLI flags in the hint. */
export function describeError(err: unknown): string {
  // UdpSystemError and TcpSystemError both carry the errno code and what was being done.
  const { code, action } = (err ?? {}) as { code?: unknown; action?: unknown };
  if (typeof code === 'string' && typeof action === 'string') {
    const better = FLAG_HINTS.find((h) => h.code === code && h.action.test(action));
    if (better) return `${action}: ${code} (${better.hint})`;
  }
  return err instanceof Error ? err.message : String(err);
}
