import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { tarStream } from '../../../runner/docker/tar-writer.ts';
import type { TarEntry } from '../../../runner/docker/tar-writer.ts';

async function toBuffer(entries: TarEntry[], onChanged?: (p: string) => void): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of tarStream(entries, onChanged)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const longName = `deep/${'d'.repeat(90)}/${'f'.repeat(120)}.ml`;

describe('tarStream', () => {
  it('writes archives GNU tar reads back: files, dirs, symlinks, owners, modes, long names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cid-tar-'));
    const host = join(dir, 'host.txt');
    await writeFile(host, 'from the host\n');
    const mtime = 1_700_000_000;
    const buf = await toBuffer([
      { name: 'src', type: 'dir', mode: 0o755, uid: 1000, gid: 1000, mtime },
      { name: 'src/a.ml', type: 'file', mode: 0o644, uid: 1000, gid: 1000, mtime, hostPath: host, size: 14 },
      { name: 'src/run', type: 'file', mode: 0o755, uid: 0, gid: 0, mtime, content: Buffer.from('#!/bin/sh\n') },
      { name: 'src/link', type: 'symlink', mode: 0o777, uid: 1000, gid: 1000, mtime, linkTarget: 'a.ml' },
      { name: longName, type: 'file', mode: 0o644, uid: 3_000_000, gid: 1000, mtime, content: Buffer.from('long\n') },
      { name: 'src/é.ml', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime, content: Buffer.alloc(0) },
    ]);
    assert.equal(buf.length % 512, 0);
    const archive = join(dir, 'out.tar');
    await writeFile(archive, buf);
    const listing = execFileSync('tar', ['-tvf', archive, '--numeric-owner'], { encoding: 'utf8' });
    assert.match(listing, /^drwxr-xr-x 1000\/1000 +0 .* src\/$/m);
    assert.match(listing, /^-rw-r--r-- 1000\/1000 +14 .* src\/a\.ml$/m);
    assert.match(listing, /^-rwxr-xr-x 0\/0 +10 .* src\/run$/m);
    assert.match(listing, /^lrwxrwxrwx 1000\/1000 +0 .* src\/link -> a\.ml$/m);
    assert.match(listing, new RegExp(`^-rw-r--r-- 3000000/1000 +5 .* ${longName}$`, 'm'));
    assert.match(listing, /src\/é\.ml$/m);

    const out = join(dir, 'x');
    execFileSync('mkdir', [out]);
    execFileSync('tar', ['-xf', archive, '-C', out]);
    assert.equal(await readFile(join(out, 'src/a.ml'), 'utf8'), 'from the host\n');
    assert.equal(await readFile(join(out, longName), 'utf8'), 'long\n');
    assert.equal(await readlink(join(out, 'src/link')), 'a.ml');
    assert.equal((await stat(join(out, 'src/run'))).mode & 0o777, 0o755);
    assert.equal((await stat(join(out, 'src/a.ml'))).mtimeMs, mtime * 1000);
  });

  it('stays well-formed when a file changes under it, and reports the change', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cid-tar-'));
    const host = join(dir, 'f');
    await writeFile(host, 'short');
    const sha = createHash('sha256').update('short').digest('hex');
    const changed: string[] = [];
    // Planned as 10 bytes; the file now has 5: padded, reported.
    const buf = await toBuffer([{ name: 'f', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, hostPath: host, size: 10 }], (p) => changed.push(p));
    assert.deepEqual(changed, [host]);
    const archive = join(dir, 'a.tar');
    await writeFile(archive, buf);
    assert.match(execFileSync('tar', ['-tvf', archive], { encoding: 'utf8' }), / 10 .* f\n/);

    const unchanged: string[] = [];
    await toBuffer([{ name: 'f', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, hostPath: host, size: 5, sha256: sha }], (p) => unchanged.push(p));
    assert.deepEqual(unchanged, []);
    const edited: string[] = [];
    await toBuffer([{ name: 'f', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, hostPath: host, size: 5, sha256: '0'.repeat(64) }], (p) => edited.push(p));
    assert.deepEqual(edited, [host], 'same size, other content');
    assert.equal(await text(tarStream([])), '\0'.repeat(1024));
  });

  it('ends the stream with the error when the entries cannot be listed', async () => {
    async function* entries(): AsyncGenerator<TarEntry> {
      yield { name: 'a', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, content: Buffer.from('a') };
      throw new Error('listing failed');
    }
    await assert.rejects(text(tarStream(entries())), /listing failed/);
  });
});
