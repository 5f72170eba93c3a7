import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack as tarPack, type Headers, type Pack } from 'tar-stream';

/**
 * The archives `putArchive` takes, written by tar-stream (ustar, pax headers for long or
 * non-ASCII paths and link targets, which Docker's extractor reads). What is ours: entries are
 * described up front and file contents are read as the consumer pulls, and a file that changes
 * while it is archived keeps the archive well-formed and is reported.
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

const TYPE = { file: 'file', dir: 'directory', symlink: 'symlink' } as const;

/** ustar's numeric fields hold this many octal digits; larger values go into pax records. */
const fits = (value: number, digits: number): boolean => value < 8 ** digits;

/** tar-stream reads `pax` (extra pax records) though its types do not name it. */
type Header = Headers & { pax?: Record<string, string> };

function headerOf(e: TarEntry, size: number): Header {
  // tar-stream writes the pax path and linkpath itself when they do not fit; big ids and sizes
  // are ours to add (it would clamp them to 7777777).
  const pax: Record<string, string> = {};
  if (!fits(e.uid, 6)) pax.uid = String(e.uid);
  if (!fits(e.gid, 6)) pax.gid = String(e.gid);
  if (!fits(size, 11)) pax.size = String(size);
  return {
    name: e.type === 'dir' && !e.name.endsWith('/') ? `${e.name}/` : e.name,
    type: TYPE[e.type],
    mode: e.mode & 0o7777,
    uid: fits(e.uid, 6) ? e.uid : 0,
    gid: fits(e.gid, 6) ? e.gid : 0,
    size,
    mtime: new Date(Math.max(0, Math.floor(e.mtime)) * 1000),
    ...(e.linkTarget !== undefined ? { linkname: e.linkTarget } : {}),
    ...(Object.keys(pax).length > 0 ? { pax } : {}),
  };
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

const entryDone = (pack: Pack, header: Header): Promise<void> =>
  new Promise((resolve, reject) => pack.entry(header, (err) => (err ? reject(err) : resolve())));

async function fill(pack: Pack, entries: Iterable<TarEntry> | AsyncIterable<TarEntry>, onChanged: (path: string) => void): Promise<void> {
  for await (const e of entries) {
    const size = e.type === 'file' ? (e.content?.length ?? e.size ?? 0) : 0;
    const header = headerOf(e, size);
    if (e.type !== 'file') await entryDone(pack, header);
    else {
      // The entry's sink only takes the next chunk once the archive has been read on (backpressure).
      let sink!: Writable;
      const written = new Promise<void>((resolve, reject) => {
        sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
      });
      await Promise.all([pipeline(Readable.from(fileContent(e, size, onChanged)), sink), written]);
    }
  }
  pack.finalize();
}

/** The archive as a stream; file contents are read as the consumer pulls, never all at once. */
export function tarStream(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>, onChanged: (path: string) => void = () => undefined): Readable {
  const pack = tarPack();
  fill(pack, entries, onChanged).catch((err: unknown) => pack.destroy(err as Error));
  return pack;
}
