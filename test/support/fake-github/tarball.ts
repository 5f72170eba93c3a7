// A minimal ustar/pax writer producing archives laid out like GitHub's tarballs: a pax global
// header carrying the commit SHA, then everything under one `owner-repo-sha7/` directory.
import { gzipSync } from 'node:zlib';
import type { RepoSnapshot } from './repo-snapshot.ts';

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, opts: { size: number; mode: number; type: string; mtime: number }): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(opts.mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(opts.size, 12), 124, 'ascii');
  h.write(octal(opts.mtime, 12), 136, 'ascii');
  h.write(' '.repeat(8), 148, 'ascii');
  h.write(opts.type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function padded(data: Buffer): Buffer[] {
  const rest = data.length % BLOCK;
  return rest === 0 ? [data] : [data, Buffer.alloc(BLOCK - rest)];
}

/** One pax record: "<len> key=value\n", where <len> counts the whole record including itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len += 1;
  return `${len}${body}`;
}

export interface TarballOptions {
  /** Top-level directory name, e.g. `owner-repo-abc1234`. */
  topDir: string;
  /** Modification time of every entry, seconds since the epoch. */
  mtime?: number;
}

export function createTarball(snapshot: RepoSnapshot, options: TarballOptions): Buffer {
  const mtime = options.mtime ?? Math.floor(Date.now() / 1000);
  const out: Buffer[] = [];
  const add = (name: string, type: '0' | '5', mode: number, data: Buffer) => {
    if (Buffer.byteLength(name) > 100) {
      const pax = Buffer.from(paxRecord('path', name));
      out.push(header('././@PaxHeader', { size: pax.length, mode: 0o644, type: 'x', mtime }), ...padded(pax));
      name = name.slice(0, 100);
    }
    out.push(header(name, { size: data.length, mode, type, mtime }), ...padded(data));
  };
  const global = Buffer.from(paxRecord('comment', snapshot.commitSha));
  out.push(header('pax_global_header', { size: global.length, mode: 0o666, type: 'g', mtime }), ...padded(global));
  add(`${options.topDir}/`, '5', 0o775, Buffer.alloc(0));
  for (const e of snapshot.entries.values()) {
    if (e.type === 'tree') add(`${options.topDir}/${e.path}/`, '5', 0o775, Buffer.alloc(0));
    else add(`${options.topDir}/${e.path}`, '0', e.mode === '100755' ? 0o775 : 0o664, e.content);
  }
  out.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(out));
}
