import { checkInteger, checkTimeout } from '@netkit/internal';
import { type ConnectOptions, connect } from './connect.js';
import type { TcpConnection } from './connection.js';
import { ClientListError, ClientNameError } from './errors.js';
import { FrameTooLargeError, lengthPrefixed } from './framing/index.js';
import { createServer, type TcpServer, type TcpServerOptions } from './server.js';

/** One entry, as the seed's client_list.py keeps it. */
export interface ClientEntry {
  name: string;
  address: string;
  port: number;
}

/** name -> entry, serialized as one JSON object. */
export type ClientList = Record<string, ClientEntry>;

/**
 * 'plain' is the seed's protocol: the client writes its name, the server answers with the JSON
 * list and closes. 'framed': the name and the list each travel in one 4-byte length-prefixed frame.
 */
export type ClientListProtocol = 'plain' | 'framed';

export const DEFAULT_MAX_NAME_BYTES = 256;
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Checks a name: UTF-8, 1 to maxBytes bytes, no control characters. Throws ClientNameError. */
export function validateClientName(
  raw: Uint8Array | string,
  maxBytes = DEFAULT_MAX_NAME_BYTES,
): string {
  let name: string;
  if (typeof raw === 'string') name = raw;
  else {
    try {
      name = decoder.decode(raw);
    } catch {
      throw new ClientNameError('the name is not valid UTF-8');
    }
  }
  const size = Buffer.byteLength(name);
  if (size === 0) throw new ClientNameError('the name is empty');
  if (size > maxBytes)
    throw new ClientNameError(`the name is ${size} bytes long; at most ${maxBytes} are allowed`);
  if (/[\x00-\x1f\x7f]/.test(name))
    throw new ClientNameError('the name contains control characters');
  return name;
}

export interface ClientListServerOptions extends TcpServerOptions {
  protocol?: ClientListProtocol;
  /** Longest name in bytes (default 256). */
  maxNameBytes?: number;
  /**
   * Plain protocol: the name ends at a newline, at the client's FIN, or after this many ms
   * without more bytes (default 200), because the seed's client sends its name and then waits.
   */
  nameQuietTime?: number;
  /** Entries kept (default 100000); a new name beyond it is refused with an error reply. */
  maxClients?: number;
  /** Called after each join with the entry and the list's size. */
  onJoin?: (entry: ClientEntry, clients: number) => void;
  /** Called for each refused join with the reason sent to the client. */
  onRefuse?: (reason: string, connection: TcpConnection) => void;
}

/** The list the service keeps, with its JSON kept ready: every join changes one entry only. */
class ClientRegistry {
  readonly #entries = new Map<string, string>();
  #json: string | undefined;

  get size(): number {
    return this.#entries.size;
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** A repeated name replaces its entry (and keeps its place), as a Python dict does. */
  set(entry: ClientEntry): void {
    this.#entries.set(entry.name, `${JSON.stringify(entry.name)}:${JSON.stringify(entry)}`);
    this.#json = undefined;
  }

  json(): string {
    this.#json ??= `{${[...this.#entries.values()].join(',')}}`;
    return this.#json;
  }

  toObject(): ClientList {
    return JSON.parse(this.json()) as ClientList;
  }
}

export interface ClientListServer extends TcpServer {
  /** The current list (a copy). */
  clients(): ClientList;
}

/** The seed's client-list service: each client sends its name and gets the whole list as JSON. */
export async function createClientListServer(
  options: ClientListServerOptions = {},
): Promise<ClientListServer> {
  const {
    protocol = 'plain',
    maxNameBytes = DEFAULT_MAX_NAME_BYTES,
    nameQuietTime = 200,
    maxClients = 100_000,
    onJoin,
    onRefuse,
    ...serverOptions
  } = options;
  if (protocol !== 'plain' && protocol !== 'framed')
    throw new TypeError(`protocol must be 'plain' or 'framed', got ${String(protocol)}`);
  checkInteger('maxNameBytes', maxNameBytes, 1, 65_535);
  checkTimeout('nameQuietTime', nameQuietTime);
  checkInteger('maxClients', maxClients, 1, 2 ** 30);
  const registry = new ClientRegistry();
  const codec = lengthPrefixed({ prefixBytes: 4, maxFrameSize: Math.max(maxNameBytes, 1) });
  const replyCodec = lengthPrefixed({ prefixBytes: 4 });

  const server = await createServer(
    async (connection) => {
      let reply: string;
      try {
        const raw =
          protocol === 'plain'
            ? await readPlainName(connection, maxNameBytes, nameQuietTime)
            : await readFramedName(connection, codec);
        const name = validateClientName(stripLineEnd(raw), maxNameBytes);
        if (!registry.has(name) && registry.size >= maxClients)
          throw new ClientNameError(`the list is full (${maxClients} clients)`);
        const entry = {
          name,
          address: connection.remoteAddress ?? 'unix',
          port: connection.remotePort ?? 0,
        };
        registry.set(entry);
        onJoin?.(entry, registry.size);
        reply = registry.json();
      } catch (err) {
        if (
          !(err instanceof ClientNameError) &&
          (err as { code?: string }).code !== 'ERR_TCP_FRAME_TOO_LARGE'
        )
          throw err;
        reply = JSON.stringify({ error: (err as Error).message });
        onRefuse?.((err as Error).message, connection);
      }
      await connection.send(protocol === 'plain' ? reply : replyCodec.encode(Buffer.from(reply)));
    },
    { idleTimeout: 10_000, ...serverOptions },
  );
  return Object.assign(server, { clients: () => registry.toObject() });
}

function stripLineEnd(raw: Buffer): Buffer {
  let end = raw.length;
  if (raw[end - 1] === 10) end--;
  if (raw[end - 1] === 13) end--;
  return raw.subarray(0, end);
}

/**
 * The seed's client writes its name without a delimiter and waits. The name is complete at a
 * newline, at the client's FIN, or after `quietMs` without more bytes. More than maxBytes (plus a
 * line ending) is refused without buffering the rest.
 */
function readPlainName(
  connection: TcpConnection,
  maxBytes: number,
  quietMs: number,
): Promise<Buffer> {
  const socket = connection.socket;
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let quiet: NodeJS.Timeout | undefined;
    const finish = (err?: Error) => {
      clearTimeout(quiet);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onClose);
      socket.pause();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes + 2)
        return finish(new ClientNameError(`the name is longer than ${maxBytes} bytes`));
      chunks.push(chunk);
      if (chunk.includes(10)) return finish();
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(), quietMs);
    };
    const onEnd = () => finish();
    const onClose = () =>
      finish(
        connection.closeReason ?? new ClientNameError('the client closed before sending a name'),
      );
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onClose);
  });
}

/** The first frame; an oversize one becomes a ClientNameError (answered), not a closed connection. */
async function readFramedName(
  connection: TcpConnection,
  codec: ReturnType<typeof lengthPrefixed>,
): Promise<Buffer> {
  const decoder = codec.decoder();
  try {
    for await (const chunk of connection) {
      const [first] = decoder.push(chunk);
      if (first) return Buffer.from(first);
    }
    const [last] = decoder.end();
    if (last) return Buffer.from(last);
  } catch (err) {
    if (err instanceof FrameTooLargeError)
      throw new ClientNameError(`the name is longer than ${codec.maxFrameSize} bytes`);
    throw err;
  }
  throw new ClientNameError('the client closed before sending a name');
}

export interface JoinOptions extends Omit<ConnectOptions, 'host' | 'port' | 'path'> {
  host?: string;
  /** Default 5000, the seed's port. */
  port?: number;
  path?: string;
  name: string;
  protocol?: ClientListProtocol;
  /** Longest list accepted, in bytes (default 64 MiB). */
  maxBytes?: number;
  maxNameBytes?: number;
}

/** Joins a client-list server under `name` and resolves with the whole list. */
export async function joinClientList(options: JoinOptions): Promise<ClientList> {
  const {
    name,
    protocol = 'plain',
    maxBytes = 64 * 2 ** 20,
    maxNameBytes = DEFAULT_MAX_NAME_BYTES,
    timeout = 10_000,
    signal,
    ...rest
  } = options;
  const valid = validateClientName(name, maxNameBytes);
  const connection = await connect({
    ...rest,
    port: rest.port ?? 5000,
    timeout,
    ...(signal && { signal }),
  });
  try {
    let body: Buffer;
    if (protocol === 'framed') {
      const codec = lengthPrefixed({ prefixBytes: 4, maxFrameSize: maxBytes });
      await connection.sendFrame(codec, Buffer.from(valid));
      await connection.end();
      body = await firstFrame(connection, codec);
    } else {
      await connection.send(valid);
      // FIN tells a netkit server the name is complete; the seed's server reads it either way.
      await connection.end();
      body = await connection.readAll({ maxBytes, timeout, ...(signal && { signal }) });
    }
    const parsed = parseList(body);
    return parsed;
  } finally {
    connection.destroy();
  }
}

async function firstFrame(
  connection: TcpConnection,
  codec: ReturnType<typeof lengthPrefixed>,
): Promise<Buffer> {
  for await (const frame of connection.frames(codec)) return Buffer.from(frame);
  throw new ClientListError('the server closed without answering');
}

function parseList(body: Buffer): ClientList {
  if (body.length === 0) throw new ClientListError('the server closed without answering');
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new ClientListError(
      `the server's answer is not valid JSON (${body.length} bytes): ${(err as Error).message}`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ClientListError('the server answered with something other than a JSON object');
  const error = (value as { error?: unknown }).error;
  if (typeof error === 'string' && Object.keys(value).length === 1)
    throw new ClientListError(`the server refused: ${error}`);
  return value as ClientList;
}
