import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manifestOf, planCopy } from '../../../runner/docker/source-tree.ts';
import { CopySourceError } from '../../../runner/docker/errors.ts';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

async function tree(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cid-tree-'));
  await mkdir(join(dir, 'lib/sub'), { recursive: true });
  await mkdir(join(dir, '.git'), { recursive: true });
  await mkdir(join(dir, '_build/default'), { recursive: true });
  await writeFile(join(dir, 'a.opam'), 'opam\n');
  await writeFile(join(dir, 'lib/x.ml'), 'let x = 1\n');
  await writeFile(join(dir, 'lib/sub/run.sh'), '#!/bin/sh\n');
  await chmod(join(dir, 'lib/sub/run.sh'), 0o700);
  await writeFile(join(dir, '.git/HEAD'), 'ref\n');
  await writeFile(join(dir, '_build/default/x.cmx'), 'bin');
  await symlink('../a.opam', join(dir, 'lib/link.opam'));
  return dir;
}

describe('planCopy', () => {
  it('copies a directory\'s contents into dst, sorted parents first, without .git', async () => {
    const dir = await tree();
    const entries = await planCopy(dir, ['.'], '/src', ['_build']);
    assert.deepEqual(
      entries.map((e) => [e.dest, e.type, e.mode.toString(8)]),
      [
        ['/src/a.opam', 'file', '644'],
        ['/src/lib', 'dir', '755'],
        ['/src/lib/link.opam', 'symlink', '777'],
        ['/src/lib/sub', 'dir', '755'],
        ['/src/lib/sub/run.sh', 'file', '755'],
        ['/src/lib/x.ml', 'file', '644'],
      ],
    );
    assert.equal(entries.find((e) => e.dest === '/src/lib/x.ml')?.sha256, sha('let x = 1\n'));
    assert.equal(entries.find((e) => e.type === 'symlink')?.linkTarget, '../a.opam');
  });

  it('puts a file source under dst by its name, and a subdirectory\'s contents into dst', async () => {
    const dir = await tree();
    const entries = await planCopy(dir, ['a.opam', 'lib/sub'], '/', []);
    assert.deepEqual(
      entries.map((e) => e.dest),
      ['/a.opam', '/run.sh'],
    );
  });

  it('has a manifest that ignores timestamps', async () => {
    const a = await tree();
    const b = await tree();
    const ma = manifestOf(await planCopy(a, ['.'], '/src', []));
    const mb = manifestOf(await planCopy(b, ['.'], '/src', []));
    assert.deepEqual(ma, mb);
    await writeFile(join(b, 'lib/x.ml'), 'let x = 2\n');
    assert.notDeepEqual(manifestOf(await planCopy(b, ['.'], '/src', [])), ma);
  });

  it('refuses sources that are missing or reached through a symlink out of the tree', async () => {
    const dir = await tree();
    await assert.rejects(planCopy(dir, ['nope'], '/src', []), CopySourceError);
    const outside = await mkdtemp(join(tmpdir(), 'cid-outside-'));
    await writeFile(join(outside, 'secret'), 's');
    await symlink(outside, join(dir, 'escape'));
    await assert.rejects(planCopy(dir, ['escape/secret'], '/src', []), CopySourceError);
    // The link itself is copied as a link, never followed.
    const entries = await planCopy(dir, ['escape'], '/src', []);
    assert.deepEqual(
      entries.map((e) => [e.dest, e.type]),
      [['/src/escape', 'symlink']],
    );
  });
});
