import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export { descendantsOf } from '../../bench/processes';

/** A listening TCP socket: its local address (as written in URLs, without brackets) and port. */
export interface Listener {
  readonly address: string;
  readonly port: number;
}

/** 127.0.0.1, and how an IPv6 socket (Java's) writes it. */
export const LOOPBACK_ADDRESSES: readonly string[] = ['127.0.0.1', '::ffff:127.0.0.1', '::1'];

/** The host-order bytes of /proc/net's little-endian 32-bit words, as an address. */
function decodeAddress(hex: string): string {
  const bytes = (hex.match(/.{8}/g) ?? []).flatMap((word) => (word.match(/../g) ?? []).reverse().map((byte) => parseInt(byte, 16)));
  if (bytes.length === 4) return bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, index) => ((bytes[index * 2]! << 8) | bytes[index * 2 + 1]!).toString(16));
  const ipv4Mapped = groups.slice(0, 5).every((group) => group === '0') && groups[5] === 'ffff';
  if (ipv4Mapped) return `::ffff:${bytes.slice(12).join('.')}`;
  if (groups.every((group) => group === '0')) return '::';
  if (groups.slice(0, 7).every((group) => group === '0') && groups[7] === '1') return '::1';
  return groups.join(':');
}

/** The TCP sockets in LISTEN state that process `pid` holds (Linux /proc). */
export function listenersOf(pid: number): Listener[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  const listeners: Listener[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (!local || state !== '0A' || !inode || !inodes.has(inode)) continue;
      const [address, port] = local.split(':') as [string, string];
      listeners.push({ address: decodeAddress(address), port: parseInt(port, 16) });
    }
  }
  return listeners;
}
