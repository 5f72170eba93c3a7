import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveCatalogue } from '../../../local/local-mode/catalogue.ts';
import { BadRequestError, CidError } from '../../../lib/errors/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'cid-catalogue-'));
writeFileSync(join(dir, 'p.yml'), '- { distro: debian-12, ocamlVersion: "4.13", image: "cid-test/ocaml:bookworm", preinstalled: true }\n');
writeFileSync(join(dir, 'bad.yml'), '- { distro: debian-12 }\n');

test('--platforms wins over CID_PLATFORMS; a relative file is read from where cid was started', async () => {
  const c = await resolveCatalogue('p.yml', { CID_PLATFORMS: 'minimal' }, dir);
  assert.equal(c.setting, join(dir, 'p.yml'));
  assert.deepEqual(c.platforms.map((p) => p.variant), ['debian-12-4.13_opam-2.5']);
  assert.equal((await resolveCatalogue(undefined, { CID_PLATFORMS: 'minimal' }, dir)).platforms.length, 2);
  const all = await resolveCatalogue(undefined, {}, dir);
  assert.equal(all.setting, 'all');
  assert.ok(all.platforms.some((p) => p.pool === 'linux-arm64'));
});

test('a bad --platforms is a usage error naming the flag; a bad CID_PLATFORMS names the variable', async () => {
  await assert.rejects(resolveCatalogue('nope.yml', {}, dir), (e: unknown) => {
    assert.ok(e instanceof BadRequestError);
    assert.match(e.message, /^--platforms: "nope\.yml" is neither a preset \(all, minimal\) nor a readable file/);
    return true;
  });
  await assert.rejects(resolveCatalogue(undefined, { CID_PLATFORMS: join(dir, 'bad.yml') }, dir), (e: unknown) => {
    assert.ok(e instanceof CidError && !(e instanceof BadRequestError));
    assert.match(e.message, /^CID_PLATFORMS: .*bad\.yml: entry 1 \(debian-12\): ocamlVersion is required/);
    assert.equal(e.exitCode, 78);
    return true;
  });
});
