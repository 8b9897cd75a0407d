import { readFileSync, statSync } from 'node:fs';

export interface ResolvConf {
  /** Name servers, in order ("host" or "host:port"). */
  servers: string[];
  /** Seconds per attempt (options timeout:N, default 5, as in resolv.conf(5)). */
  timeout: number;
  /** Rounds over the servers (options attempts:N, default 2). */
  attempts: number;
}

const DEFAULTS: ResolvConf = { servers: ['127.0.0.1'], timeout: 5, attempts: 2 };

/** Parses resolv.conf text: nameserver lines and the timeout and attempts options. */
export function parseResolvConf(text: string): ResolvConf {
  const servers: string[] = [];
  let { timeout, attempts } = DEFAULTS;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) servers.push(rest[0]);
    if (key === 'options') {
      for (const opt of rest) {
        const [name, value] = opt.split(':');
        const n = Number(value);
        // resolv.conf(5) caps timeout at 30 s and attempts at 5.
        if (name === 'timeout' && Number.isInteger(n) && n >= 1) timeout = Math.min(n, 30);
        if (name === 'attempts' && Number.isInteger(n) && n >= 1) attempts = Math.min(n, 5);
      }
    }
  }
  return { servers: servers.length > 0 ? servers : DEFAULTS.servers, timeout, attempts };
}

let cached: { path: string; mtimeMs: number; conf: ResolvConf } | undefined;

/** /etc/resolv.conf, parsed once and again only when it changes; the defaults if unreadable. */
export function systemResolvConf(path = '/etc/resolv.conf'): ResolvConf {
  try {
    const { mtimeMs } = statSync(path);
    if (cached?.path === path && cached.mtimeMs === mtimeMs) return cached.conf;
    const conf = parseResolvConf(readFileSync(path, 'utf8'));
    cached = { path, mtimeMs, conf };
    return conf;
  } catch {
    return DEFAULTS;
  }
}
