import { formatEndpoint } from '@netkit/udp';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The payload as text when it is valid UTF-8 without control characters, else undefined. */
export function asText(data: Uint8Array): string | undefined {
  let text: string;
  try {
    text = decoder.decode(data);
  } catch {
    return undefined;
  }
  // One trailing newline is the line ending of the sender (ncat, echo), not data worth showing.
  const body = text.replace(/\r?\n$/, '');
  return /[\x00-\x08\x0b-\x1f\x7f]/.test(body) ? undefined : body;
}

/** Text for a terminal: the text itself, or a hex dump marker for binary data. */
export function showPayload(data: Uint8Array): string {
  const text = asText(data);
  if (text !== undefined) return text;
  const hex = Buffer.from(data.subarray(0, 32)).toString('hex');
  return `<${data.length} bytes: ${hex}${data.length > 32 ? '…' : ''}>`;
}

export interface DatagramLike {
  data: Uint8Array;
  address: string;
  port: number;
  family?: string;
  size?: number;
  truncated?: boolean;
}

/** "127.0.0.1:54321: hello", as the seed servers print. */
export function datagramLine(d: DatagramLike): string {
  const cut = d.truncated ? ` [truncated: ${d.data.length} of ${d.size} bytes]` : '';
  return `${formatEndpoint(d.address, d.port)}: ${showPayload(d.data)}${cut}`;
}

/** One JSON object per datagram; text when the payload is UTF-8, base64 always. */
export function datagramJson(
  d: DatagramLike,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const text = asText(d.data);
  return {
    from: d.address,
    port: d.port,
    ...(d.family && { family: d.family }),
    size: d.size ?? d.data.length,
    ...(d.truncated && { truncated: true }),
    ...(text !== undefined && { text }),
    base64: Buffer.from(d.data).toString('base64'),
    ...extra,
  };
}
