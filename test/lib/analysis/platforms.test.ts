import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  LTS_OCAML,
  MAIN_DISTRO,
  loadPlatforms,
  parsePlatformCatalogue,
  presetPlatforms,
} from '../../../lib/analysis/platforms.ts';
import { PlatformCatalogueError } from '../../../lib/analysis/errors.ts';
import { platformVars } from '../../../lib/analysis/opam-vars.ts';

function catalogueError(text: string, file = 'platforms.yml'): string {
  try {
    parsePlatformCatalogue(text, file);
  } catch (err) {
    assert.ok(err instanceof PlatformCatalogueError, `expected a PlatformCatalogueError, got ${String(err)}`);
    return err.message;
  }
  return assert.fail('the catalogue was accepted');
}

describe('presets', () => {
  // The built-in list: what opam-repository 97014be (the default CID_OPAM_REPO_COMMIT) has.
  const all = presetPlatforms('all');
  const BUILTIN = ['5.5.0', '5.4.1', '5.3.0', '5.2.1', '5.1.1', '5.0.0', '4.14.4'];

  it('all: the main distro with every release, newest first, on x86_64', () => {
    const main = all.filter((p) => p.distro === MAIN_DISTRO && p.arch === 'x86_64');
    assert.deepEqual(
      main.map((p) => p.ocamlVersion),
      BUILTIN,
    );
    assert.equal(all[0]?.variant, 'debian-13-5.5_opam-2.5', 'the first platform is the latest release');
  });

  it('all: other distros with 4.14 and the latest release only', () => {
    const others = all.filter((p) => p.distro !== MAIN_DISTRO);
    assert.ok(others.length >= 6);
    const distros = new Set(others.map((p) => p.distro));
    for (const d of ['ubuntu-24.04', 'fedora-44', 'alpine-3.24', 'opensuse-16.0']) assert.ok(distros.has(d), d);
    for (const d of distros) {
      assert.deepEqual(
        others.filter((p) => p.distro === d).map((p) => p.ocamlVersion),
        ['5.5.0', '4.14.4'],
        d,
      );
    }
  });

  it('all: the latest release on each other architecture, each in its pool', () => {
    const archs = all.filter((p) => p.arch !== 'x86_64');
    assert.deepEqual(
      archs.map((p) => [p.variant, p.pool]),
      [
        [`${MAIN_DISTRO}-5.5_arm64_opam-2.5`, 'linux-arm64'],
        [`${MAIN_DISTRO}-5.5_ppc64_opam-2.5`, 'linux-ppc64le'],
        [`${MAIN_DISTRO}-5.5_s390x_opam-2.5`, 'linux-s390x'],
        [`${MAIN_DISTRO}-5.5_riscv64_opam-2.5`, 'linux-riscv64'],
      ],
    );
  });

  it('all: ocaml/opam images named after distro and minor release; names unique', () => {
    const p = all.find((x) => x.distro === 'ubuntu-24.04' && x.ocamlVersion === '4.14.4');
    assert.equal(p?.image, 'ocaml/opam:ubuntu-24.04-ocaml-4.14');
    assert.equal(p?.variant, 'ubuntu-24.04-4.14_opam-2.5');
    assert.equal(platformVars(p!)['ocaml:version'], '4.14.4', 'opam variables use the full release');
    assert.equal(new Set(all.map((x) => x.variant)).size, all.length);
  });

  it('minimal: the main distro with the latest release and 4.14 on x86_64 only', () => {
    assert.deepEqual(
      presetPlatforms('minimal').map((p) => p.variant),
      [`${MAIN_DISTRO}-5.5_opam-2.5`, `${MAIN_DISTRO}-${LTS_OCAML}_opam-2.5`],
    );
  });

  it('(lower-bound) candidates: every release of the main distro on x86_64 in all, none in minimal (as ocaml-ci)', () => {
    assert.deepEqual(
      all.filter((p) => p.lowerBound).map((p) => p.variant),
      ['5.5', '5.4', '5.3', '5.2', '5.1', '5.0', '4.14'].map((v) => `${MAIN_DISTRO}-${v}_opam-2.5`),
    );
    assert.ok(presetPlatforms('minimal').every((p) => !p.lowerBound));
  });

  it('are made of the releases they are given: a new minor comes in, and is the latest everywhere', () => {
    const releases = ['5.6.0', '5.5.1', '4.14.4'];
    const ps = presetPlatforms('all', releases);
    assert.deepEqual(
      ps.filter((p) => p.distro === MAIN_DISTRO && p.arch === 'x86_64').map((p) => p.variant),
      ['debian-13-5.6_opam-2.5', 'debian-13-5.5_opam-2.5', 'debian-13-4.14_opam-2.5'],
    );
    assert.deepEqual(
      ps.filter((p) => p.distro === 'fedora-44').map((p) => p.ocamlVersion),
      ['5.6.0', '4.14.4'],
    );
    assert.ok(ps.filter((p) => p.arch !== 'x86_64').every((p) => p.ocamlVersion === '5.6.0'));
    assert.deepEqual(
      presetPlatforms('minimal', releases).map((p) => p.variant),
      ['debian-13-5.6_opam-2.5', 'debian-13-4.14_opam-2.5'],
    );
    assert.throws(() => presetPlatforms('all', []), PlatformCatalogueError);
  });
});

describe('catalogue files', () => {
  it('reads a YAML list, filling defaults and deriving pool, image and variant', () => {
    const [a, b] = parsePlatformCatalogue(
      `
- distro: debian-12
  ocamlVersion: "5.3"
  opamVersion: "2.3"
- distro: debian-12
  ocamlVersion: 5.3.0
  arch: arm64
  opamVersion: "2.3"
  image: ocaml/opam:debian-12-ocaml-5.3@sha256:${'ab'.repeat(32)}
  experimental: true
`,
      'platforms.yml',
    );
    assert.equal(a?.variant, 'debian-12-5.3_opam-2.3');
    assert.equal(a?.pool, 'linux-x86_64');
    assert.equal(a?.image, 'ocaml/opam:debian-12-ocaml-5.3');
    assert.equal(a?.preinstalled, false);
    assert.equal(a?.lowerBound, false);
    assert.equal(b?.variant, 'debian-12-5.3_arm64_opam-2.3');
    assert.equal(b?.pool, 'linux-arm64');
    assert.equal(b?.experimental, true);
    assert.match(b?.image ?? '', /@sha256:abab/);
  });

  it('reads JSON, and a mapping with a platforms list', () => {
    const json = parsePlatformCatalogue(
      JSON.stringify({ platforms: [{ distro: 'debian-12', ocamlVersion: '4.13', image: 'cid-test:bookworm', preinstalled: true }] }),
      'platforms.json',
    );
    assert.equal(json[0]?.preinstalled, true);
    assert.equal(json[0]?.image, 'cid-test:bookworm');
  });

  it('names the file, the entry and the field for a bad arch', () => {
    const msg = catalogueError(`
- { distro: debian-12, ocamlVersion: "5.3" }
- { distro: debian-12, ocamlVersion: "5.2" }
- { distro: debian-12, ocamlVersion: "5.3", arch: amd64 }
`);
    assert.equal(msg, 'platforms.yml: entry 3 (debian-12-5.3): arch must be one of x86_64, arm64, ppc64le, s390x, riscv64');
  });

  it('reports every bad entry, one per line', () => {
    const msg = catalogueError(`
- { ocamlVersion: "5.3" }
- { distro: debian-12, ocamlVersion: "five" }
- { distro: debian-12, ocamlVersion: "5.3", image: "Not An Image" }
- { distro: debian-12, ocamlVersion: "5.3", archh: arm64 }
`);
    const lines = msg.split('\n');
    assert.equal(lines.length, 4, msg);
    assert.equal(lines[0], 'platforms.yml: entry 1 (5.3): distro is required');
    assert.match(lines[1] ?? '', /^platforms\.yml: entry 2 \(debian-12-five\): ocamlVersion must be an OCaml release/);
    assert.match(lines[2] ?? '', /^platforms\.yml: entry 3 \(debian-12-5\.3\): image must be a Docker image reference/);
    assert.match(lines[3] ?? '', /^platforms\.yml: entry 4 \(debian-12-5\.3\): unknown field "archh"/);
  });

  it('accepts lowerBound on x86_64 platforms with opam only', () => {
    const [p] = parsePlatformCatalogue('- { distro: debian-12, ocamlVersion: "4.14", lowerBound: true }', 'platforms.yml');
    assert.equal(p?.lowerBound, true);
    const msg = catalogueError(`
- { distro: debian-12, ocamlVersion: "4.13", image: "cid-test:bookworm", preinstalled: true, lowerBound: true }
- { distro: debian-12, ocamlVersion: "4.14", arch: arm64, lowerBound: true }
`);
    assert.deepEqual(msg.split('\n'), [
      'platforms.yml: entry 1 (debian-12-4.13): lowerBound needs opam, which a preinstalled image does not have',
      'platforms.yml: entry 2 (debian-12-4.14): lowerBound is for x86_64 platforms only (the (lower-bound) job runs there, as in ocaml-ci)',
    ]);
  });

  it('rejects a pool that disagrees with the arch', () => {
    const msg = catalogueError('- { distro: debian-12, ocamlVersion: "5.3", arch: arm64, pool: linux-x86_64 }');
    assert.equal(msg, 'platforms.yml: entry 1 (debian-12-5.3): pool must be linux-arm64 for arch arm64 (it follows from arch; leave it out)');
  });

  it('rejects two entries with the same variant name', () => {
    const msg = catalogueError(`
- { distro: debian-12, ocamlVersion: "5.3" }
- { distro: debian-12, ocamlVersion: "5.3.0" }
`);
    assert.match(msg, /entry 2 \(debian-12-5\.3\.0\): same variant debian-12-5\.3_opam-2\.5 as entry 1/);
  });

  it('rejects bad syntax, a wrong shape and an empty list', () => {
    assert.match(catalogueError('- { distro: [', 'p.yml'), /^p\.yml: not valid YAML at line 1/);
    assert.match(catalogueError('{ "platforms": ', 'p.json'), /^p\.json: not valid JSON/);
    assert.equal(catalogueError('distro: debian-12'), 'platforms.yml: expected a list of platforms, or a mapping with a "platforms" list');
    assert.equal(catalogueError('[]'), 'platforms.yml: the catalogue lists no platforms');
    assert.match(catalogueError('- 42'), /entry 1: the entry must be a mapping/);
  });
});

describe('loadPlatforms', () => {
  it('takes a preset name or a file path', async () => {
    assert.equal((await loadPlatforms('minimal', () => assert.fail('no file read for a preset'))).length, 2);
    const read: string[] = [];
    const ps = await loadPlatforms('/etc/cid/platforms.yml', async (p) => {
      read.push(p);
      return '- { distro: alpine-3.24, ocamlVersion: "5.4" }';
    });
    assert.deepEqual(read, ['/etc/cid/platforms.yml']);
    assert.equal(ps[0]?.variant, 'alpine-3.24-5.4_opam-2.5');
  });

  it('says what it expected when the setting is neither', async () => {
    await assert.rejects(
      loadPlatforms('everything', async () => {
        throw new Error('ENOENT: no such file or directory');
      }),
      (err: Error) => err instanceof PlatformCatalogueError && /neither a preset \(all, minimal\) nor a readable file: ENOENT/.test(err.message),
    );
  });
});

describe('platformVars', () => {
  it('derives opam variables from the distro, arch and OCaml release', () => {
    const [ubuntu] = parsePlatformCatalogue('- { distro: ubuntu-24.04, ocamlVersion: "4.14", arch: ppc64le }', 'x.yml');
    assert.ok(ubuntu);
    const vars = platformVars(ubuntu);
    assert.equal(vars.os, 'linux');
    assert.equal(vars.arch, 'ppc64');
    assert.equal(vars['os-distribution'], 'ubuntu');
    assert.equal(vars['os-family'], 'debian');
    assert.equal(vars['os-version'], '24.04');
    assert.match(vars['ocaml:version'] ?? '', /^4\.14\.\d+$/);
    // A full release, as opam's variable is, so `opam-version >= "2.3.0"` holds on opam 2.3.
    assert.match(vars['opam-version'] ?? '', /^\d+\.\d+\.\d+$/);
  });

  it('lets an entry override variables and keeps a full release as written', () => {
    const [p] = parsePlatformCatalogue('- { distro: debian-12, ocamlVersion: "5.2.0", vars: { os-version: "12.7" } }', 'x.yml');
    assert.ok(p);
    assert.equal(platformVars(p)['os-version'], '12.7');
    assert.equal(platformVars(p)['ocaml:version'], '5.2.0');
  });
});
