// Child processes for the benchmarks: spawn (pinned with taskset when it works), read their
// stdout line by line, and make sure every one of them is killed at the end, also on errors and
// on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

const live = new Set();

function killAll() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

let cachedPinning;

/**
 * Whether children can be pinned: needs `taskset` and two CPUs (0 for the servers, 1 for the
 * load generators). `note` says why not when they cannot.
 */
export function pinning() {
  if (cachedPinning) return cachedPinning;
  const cpus = os.availableParallelism?.() ?? os.cpus().length;
  let note = '';
  let pinned = false;
  if (cpus < 2) {
    note = `only ${cpus} CPU available: children run unpinned`;
  } else {
    const ok = (cpu) => spawnSync('taskset', ['-c', cpu, 'true'], { stdio: 'ignore' }).status === 0;
    const probe = spawnSync('taskset', ['-V'], { stdio: 'ignore' });
    if (probe.error) note = 'taskset not found (install util-linux): children run unpinned';
    else if (!ok('0') || !ok('1'))
      note = 'taskset cannot pin to CPUs 0 and 1 here: children run unpinned';
    else pinned = true;
  }
  cachedPinning = {
    pinned,
    serverCpu: pinned ? '0' : null,
    loadCpu: pinned ? '1' : null,
    cpus,
    note: pinned
      ? 'servers pinned to CPU 0, load generators / clients to CPU 1 (taskset -c)'
      : note,
  };
  return cachedPinning;
}

/**
 * A node child process running `script`, pinned to `cpu` when given and pinning works. stdout is
 * read as lines; stderr goes to ours so that a crash is visible.
 */
export function spawnNode(script, args = [], { cpu = null, nodeArgs = [] } = {}) {
  return spawnPinned(process.execPath, [...nodeArgs, script, ...args.map(String)], {
    cpu,
    name: script,
  });
}

/**
 * Any program as a child process (python3, iperf3...), pinned to `cpu` like spawnNode, killed at
 * the end like every child here. Programs that do not exit when their stdin closes must be
 * stopped with kill() rather than stop().
 */
export function spawnPinned(command, args = [], { cpu = null, name = command } = {}) {
  const { pinned } = pinning();
  const argv = args.map(String);
  const proc =
    pinned && cpu !== null
      ? spawn('taskset', ['-c', String(cpu), command, ...argv], {
          stdio: ['pipe', 'pipe', 'inherit'],
        })
      : spawn(command, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
  live.add(proc);
  return new Child(proc, name);
}

/** Whether `command` can be run here (found on PATH and starts), probed with `args`. */
export function haveCommand(command, args = ['--version']) {
  const r = spawnSync(command, args, { stdio: 'ignore', timeout: 5000 });
  return !r.error;
}

export class Child {
  #lines = [];
  #waiters = [];
  #exit;
  #partial = '';
  #stdoutDone;

  constructor(proc, script) {
    this.proc = proc;
    this.script = script;
    this.#stdoutDone = new Promise((resolve) => {
      proc.stdout.once('close', resolve);
      proc.stdout.once('error', resolve);
    });
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk) => {
      const parts = (this.#partial + chunk).split('\n');
      this.#partial = parts.pop();
      for (const line of parts) this.#push(line);
    });
    this.#exit = new Promise((resolve) => {
      proc.on('exit', async (code, signal) => {
        live.delete(proc);
        // 'exit' can come before the last of stdout has been read: a "RESULT" line still in the
        // pipe must reach its waiter, not fail it (a tcp-framed run failed that way).
        await Promise.race([this.#stdoutDone, sleep(1000)]);
        if (this.#partial) this.#push(this.#partial);
        this.#partial = '';
        this.exitCode = code;
        this.exitSignal = signal;
        for (const w of this.#waiters.splice(0))
          w.fail(
            new Error(
              `${this.script} exited (${signal ?? code}) before printing a "${w.prefix}" line`,
            ),
          );
        resolve({ code, signal });
      });
      proc.on('error', (err) => {
        live.delete(proc);
        for (const w of this.#waiters.splice(0)) w.fail(err);
        resolve({ code: null, signal: null, error: err });
      });
    });
    proc.stdin.on('error', () => {}); // the child may be gone when we close its stdin
  }

  /** The process id (taskset execs node, so this is node's own pid). */
  get pid() {
    return this.proc.pid;
  }

  #push(line) {
    const i = this.#waiters.findIndex((w) => w.match(line));
    if (i >= 0) this.#waiters.splice(i, 1)[0].ok(line);
    else this.#lines.push(line);
  }

  /** Resolves with the first stdout line starting with `prefix` (already printed or to come). */
  line(prefix, timeoutMs) {
    const match = (l) => l.startsWith(prefix);
    const i = this.#lines.findIndex(match);
    if (i >= 0) return Promise.resolve(this.#lines.splice(i, 1)[0]);
    if (this.exitCode !== undefined) return Promise.reject(new Error(`${this.script} has exited`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(new Error(`${this.script}: no "${prefix}" line within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        prefix,
        match,
        ok: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
        fail: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /**
   * Everything the child prints to stdout from now until it exits (and what it printed before
   * that no line() took), as one string. Kills it when it has not exited within `timeoutMs`.
   */
  async output(timeoutMs) {
    const timer = setTimeout(() => this.kill(), timeoutMs);
    await this.#exit; // which waits for the rest of stdout
    clearTimeout(timer);
    const rest = this.#partial;
    this.#partial = '';
    return [...this.#lines.splice(0), ...(rest ? [rest] : [])].join('\n');
  }

  /** The JSON that follows `prefix` on a stdout line, e.g. "RESULT {...}". */
  async json(prefix, timeoutMs) {
    const l = await this.line(prefix, timeoutMs);
    return JSON.parse(l.slice(prefix.length));
  }

  /**
   * Asks the child to exit by closing its stdin (every child here exits then, which lets
   * `--cpu-prof` write its profile), and kills it when it is still there after `graceMs`.
   */
  async stop(graceMs = 2000) {
    if (this.exitCode === undefined && this.proc.exitCode === null) {
      this.proc.stdin.end();
      const timer = setTimeout(() => this.kill(), graceMs);
      await this.#exit;
      clearTimeout(timer);
    }
    await this.#exit;
  }

  /** Kills the child (SIGKILL) and waits until it is gone. */
  async kill() {
    if (this.exitCode === undefined && this.proc.exitCode === null) {
      try {
        this.proc.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    await this.#exit;
  }
}

/** Stops every child given (stdin closed, then SIGKILL after a grace period); never throws. */
export async function stopChildren(children, graceMs = 2000) {
  await Promise.all(children.filter(Boolean).map((c) => c.stop(graceMs).catch(() => c.kill())));
}

/**
 * Node options for children that `--cpu-prof` should profile: set NETKIT_BENCH_CPU_PROF=DIR to get
 * a .cpuprofile per server / client child in DIR/TAG/ (open it in Chrome DevTools or speedscope).
 */
export function profileArgs(tag) {
  const dir = process.env.NETKIT_BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}/${tag}`] : [];
}

/** Kills every child given, waiting for all of them; never throws. */
export async function killChildren(children) {
  await Promise.all(children.filter(Boolean).map((c) => c.kill().catch(() => {})));
}

/**
 * CPU time a process has used so far, in ms, summed over all its threads (the main thread, libuv's
 * pool, V8's GC helpers): from /proc/PID/task/TID/schedstat (ns), or /proc/PID/stat (ticks).
 * undefined when /proc cannot tell.
 */
export function cpuTimeMs(pid) {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended meanwhile
      }
    }
    return ns / 1e6;
  } catch {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, USER_HZ 100
    } catch {
      return undefined;
    }
  }
}

/**
 * CPU time a process has used so far, in ms, from /proc/PID/stat (utime + stime, in USER_HZ ticks
 * of 10 ms): unlike cpuTimeMs() this includes threads that have already exited, which matters
 * for a server that starts a thread per connection. undefined when /proc cannot tell.
 */
export function processCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Per-CPU time counters from /proc/stat (USER_HZ ticks): { cpu0: { busy, idle, steal, total }, ... },
 * or undefined when /proc/stat cannot be read.
 */
export function cpuTicks() {
  try {
    const out = {};
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^(cpu\d+) (.*)$/.exec(line);
      if (!m) continue;
      const [user, nice, system, idle, iowait, irq, softirq, steal = 0] = m[2]
        .trim()
        .split(/\s+/)
        .map(Number);
      const busy = user + nice + system + irq + softirq;
      out[m[1]] = { busy, idle: idle + iowait, steal, total: busy + idle + iowait + steal };
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Fractions of the time CPU `cpu` was busy, idle and stolen (by the hypervisor) between two cpuTicks(). */
export function cpuUse(before, after, cpu) {
  const a = before?.[`cpu${cpu}`];
  const b = after?.[`cpu${cpu}`];
  if (!a || !b || b.total === a.total) return undefined;
  const t = b.total - a.total;
  return {
    busy: (b.busy - a.busy) / t,
    idle: (b.idle - a.idle) / t,
    steal: (b.steal - a.steal) / t,
  };
}

/**
 * The kernel's TcpExt counters (ListenOverflows, ListenDrops, ...) from /proc/net/netstat, for this
 * network namespace: { name: value }, or undefined when it cannot be read.
 */
export function tcpExtCounters() {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith('TcpExt:'));
    const names = lines[at].split(/\s+/).slice(1);
    const values = lines[at + 1].split(/\s+/).slice(1).map(Number);
    return Object.fromEntries(names.map((n, i) => [n, values[i]]));
  } catch {
    return undefined;
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
