import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/**
 * A small POSIX tar (ustar + pax) writer: enough for `putArchive`, without a dependency. Long
 * paths, link targets and big ids go into pax extended headers, which Docker's extractor reads.
 */
export interface TarEntry {
  /** Path inside the archive, without a leading "/". */
  name: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** Files: the host file whose first `size` bytes are the content. */
  hostPath?: string;
  size?: number;
  /** Files: content given in memory instead of a host path. */
  content?: Buffer;
  /** Files: the expected sha256 of the content; a mismatch is reported, see `tarStream`. */
  sha256?: string;
  linkTarget?: string;
}

const BLOCK = 512;
const TYPEFLAG = { file: '0', dir: '5', symlink: '2' } as const;

function writeString(buf: Buffer, offset: number, length: number, value: string): void {
  buf.write(value, offset, Math.min(length, Buffer.byteLength(value)), 'utf8');
}

function writeOctal(buf: Buffer, offset: number, length: number, value: number): void {
  // length-1 digits then NUL, as GNU and BSD tar write them.
  writeString(buf, offset, length, value.toString(8).padStart(length - 1, '0') + '\0');
}

const fitsOctal = (value: number, length: number): boolean => value < 8 ** (length - 1);

function header(name: string, typeflag: string, fields: { mode: number; uid: number; gid: number; size: number; mtime: number; linkname?: string }): Buffer {
  const buf = Buffer.alloc(BLOCK);
  writeString(buf, 0, 100, name);
  writeOctal(buf, 100, 8, fields.mode & 0o7777);
  writeOctal(buf, 108, 8, fitsOctal(fields.uid, 8) ? fields.uid : 0);
  writeOctal(buf, 116, 8, fitsOctal(fields.gid, 8) ? fields.gid : 0);
  writeOctal(buf, 124, 12, fitsOctal(fields.size, 12) ? fields.size : 0);
  writeOctal(buf, 136, 12, Math.max(0, Math.floor(fields.mtime)));
  buf.fill(' ', 148, 156);
  writeString(buf, 156, 1, typeflag);
  if (fields.linkname !== undefined) writeString(buf, 157, 100, fields.linkname);
  writeString(buf, 257, 6, 'ustar\0');
  writeString(buf, 263, 2, '00');
  let sum = 0;
  for (const byte of buf) sum += byte;
  writeString(buf, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return buf;
}

/** A pax record: "<len> <key>=<value>\n" where len counts the whole record, itself included. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let len = bodyLen + 1;
  while (bodyLen + String(len).length !== len) len = bodyLen + String(len).length;
  return `${len}${body}`;
}

const padding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

function entryHeaders(e: TarEntry, size: number): Buffer[] {
  const name = e.type === 'dir' && !e.name.endsWith('/') ? `${e.name}/` : e.name;
  const pax: string[] = [];
  const ascii = (s: string): boolean => /^[\x20-\x7e]*$/.test(s);
  if (Buffer.byteLength(name) > 100 || !ascii(name)) pax.push(paxRecord('path', name));
  if (e.linkTarget !== undefined && (Buffer.byteLength(e.linkTarget) > 100 || !ascii(e.linkTarget))) {
    pax.push(paxRecord('linkpath', e.linkTarget));
  }
  if (!fitsOctal(e.uid, 8)) pax.push(paxRecord('uid', String(e.uid)));
  if (!fitsOctal(e.gid, 8)) pax.push(paxRecord('gid', String(e.gid)));
  if (!fitsOctal(size, 12)) pax.push(paxRecord('size', String(size)));
  const out: Buffer[] = [];
  if (pax.length > 0) {
    const body = Buffer.from(pax.join(''), 'utf8');
    out.push(header('PaxHeader', 'x', { mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: e.mtime }), body, padding(body.length));
  }
  out.push(
    header(name.slice(0, 100), TYPEFLAG[e.type], {
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      size,
      mtime: e.mtime,
      linkname: e.linkTarget?.slice(0, 100),
    }),
  );
  return out;
}

/**
 * A file's content, exactly `size` bytes whatever happens to the file meanwhile (the archive must
 * stay well-formed, or the daemon's extractor would wait for bytes that never come): a file that
 * shrank is padded with zeros, one that grew is cut. Any such change, or a content hash other than
 * the expected one, is reported to `onChanged` for the caller to fail the copy.
 */
async function* fileContent(e: TarEntry, size: number, onChanged: (path: string) => void): AsyncGenerator<Buffer> {
  const hash = e.sha256 === undefined ? undefined : createHash('sha256');
  const where = e.hostPath ?? e.name;
  let left = size;
  if (e.content !== undefined) {
    hash?.update(e.content);
    left = 0;
    yield e.content;
  } else if (e.hostPath !== undefined) {
    const fh = await open(e.hostPath, 'r').catch(() => undefined);
    try {
      while (fh !== undefined && left > 0) {
        const buf = Buffer.alloc(Math.min(left, 1 << 20));
        const { bytesRead } = await fh.read(buf, 0, buf.length, size - left);
        if (bytesRead === 0) break;
        const chunk = buf.subarray(0, bytesRead);
        hash?.update(chunk);
        left -= bytesRead;
        yield chunk;
      }
      if (fh === undefined || (await fh.read(Buffer.alloc(1), 0, 1, size)).bytesRead !== 0) onChanged(where);
    } finally {
      await fh?.close();
    }
  }
  if (left > 0) {
    onChanged(where);
    yield Buffer.alloc(left);
  } else if (hash !== undefined && hash.digest('hex') !== e.sha256) onChanged(where);
}

async function* generate(
  entries: Iterable<TarEntry> | AsyncIterable<TarEntry>,
  onChanged: (path: string) => void,
): AsyncGenerator<Buffer> {
  for await (const e of entries) {
    const size = e.type === 'file' ? (e.content?.length ?? e.size ?? 0) : 0;
    yield* entryHeaders(e, size);
    if (e.type === 'file') {
      yield* fileContent(e, size, onChanged);
      yield padding(size);
    }
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** The archive as a stream; file contents are read as the consumer pulls, never all at once. */
export function tarStream(
  entries: Iterable<TarEntry> | AsyncIterable<TarEntry>,
  onChanged: (path: string) => void = () => undefined,
): Readable {
  return Readable.from(generate(entries, onChanged), { objectMode: false });
}
