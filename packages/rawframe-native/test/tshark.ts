// Reading pcap files with tshark and tcpdump, for cross-checks against netkit.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@netkit/testkit';
import { afterAll } from 'vitest';
import { pcapHeader, pcapRecord } from '../src/index.js';

/** Checksum verification is off by default in tshark for IP and UDP. */
export const CHECK_CHECKSUMS = ['-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];

/** Call at the top of a file: returns `tempPath(name)`; the folder goes away after the file. */
export function useTempDir(): (name: string) => Promise<string> {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return async (name) => {
    dir ??= await mkdtemp(join(tmpdir(), 'netkit-rawframe-'));
    return join(dir, name);
  };
}

export async function writeFramesPcap(path: string, frames: readonly Uint8Array[]): Promise<void> {
  await writeFile(path, Buffer.concat([pcapHeader(), ...frames.map((f) => pcapRecord(f))]));
}

/** `tshark -r FILE -T fields -e ...` as rows of strings. */
export async function tsharkFields(
  path: string,
  fields: string[],
  extra: string[] = [],
): Promise<string[][]> {
  const { stdout } = await run(
    'tshark',
    [
      '-r',
      path,
      ...CHECK_CHECKSUMS,
      ...extra,
      '-T',
      'fields',
      '-E',
      'separator=|',
      ...fields.flatMap((f) => ['-e', f]),
    ],
    { check: true, timeout: 30_000 },
  );
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('|'));
}

/** Each frame's bytes as hex, from `tshark -r FILE -x`. */
export async function tsharkHex(path: string): Promise<string[]> {
  const { stdout } = await run('tshark', ['-r', path, '-x'], { check: true, timeout: 30_000 });
  const frames: string[] = [];
  let current = '';
  for (const line of stdout.split('\n')) {
    const m = /^([0-9a-f]{4,}) {2}((?:[0-9a-f]{2} )*[0-9a-f]{2})/.exec(line);
    if (m) {
      if (m[1] === '0000' && current !== '') {
        frames.push(current);
        current = '';
      }
      current += (m[2] ?? '').replaceAll(' ', '');
    }
  }
  if (current !== '') frames.push(current);
  return frames;
}

/** Each frame's bytes as hex, from `tcpdump -r FILE -xx`. */
export async function tcpdumpHex(path: string): Promise<string[]> {
  const { stdout } = await run('tcpdump', ['-r', path, '-nn', '-xx'], {
    check: true,
    timeout: 30_000,
  });
  const frames: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s+0x([0-9a-f]{4}):\s+((?:[0-9a-f]{2,4} ?)+)/.exec(line);
    if (!m) continue;
    if (m[1] === '0000') frames.push('');
    frames[frames.length - 1] += (m[2] ?? '').replaceAll(' ', '');
  }
  return frames;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
