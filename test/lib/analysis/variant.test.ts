import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { opamArch, parseVariantName, variantName } from '../../../lib/analysis/variant.ts';
import { ARCHES } from '../../../lib/analysis/variant.ts';

describe('variantName', () => {
  it('omits the arch for x86_64, as ocaml-ci does', () => {
    assert.equal(variantName({ distro: 'debian-12', ocamlVersion: '5.3', arch: 'x86_64', opamVersion: '2.3' }), 'debian-12-5.3_opam-2.3');
  });

  it('puts the opam arch name between the OCaml version and the opam version', () => {
    assert.equal(variantName({ distro: 'debian-12', ocamlVersion: '5.3', arch: 'arm64', opamVersion: '2.3' }), 'debian-12-5.3_arm64_opam-2.3');
    assert.equal(variantName({ distro: 'debian-13', ocamlVersion: '5.4', arch: 's390x', opamVersion: '2.5' }), 'debian-13-5.4_s390x_opam-2.5');
    assert.equal(variantName({ distro: 'debian-13', ocamlVersion: '5.4', arch: 'riscv64', opamVersion: '2.5' }), 'debian-13-5.4_riscv64_opam-2.5');
  });

  it('spells ppc64le as opam does ("ppc64"), like ocaml-ci', () => {
    assert.equal(opamArch('ppc64le'), 'ppc64');
    assert.equal(variantName({ distro: 'debian-13', ocamlVersion: '5.4', arch: 'ppc64le', opamVersion: '2.5' }), 'debian-13-5.4_ppc64_opam-2.5');
  });

  it('keeps only major.minor of a full OCaml release', () => {
    assert.equal(variantName({ distro: 'ubuntu-24.04', ocamlVersion: '4.14.2', arch: 'x86_64', opamVersion: '2.5' }), 'ubuntu-24.04-4.14_opam-2.5');
  });
});

describe('parseVariantName', () => {
  it('inverts variantName for every arch', () => {
    for (const arch of ARCHES) {
      const parts = { distro: 'ubuntu-24.04', ocamlVersion: '5.10', arch, opamVersion: '2.5' };
      assert.deepEqual(parseVariantName(variantName(parts)), parts);
    }
  });

  it('rejects lint labels and malformed names', () => {
    for (const bad of ['(lint-fmt)', 'debian-12-5.3', 'debian-12-5.3_x86_64_opam-2.3', 'debian-12-5.3_sparc_opam-2.3']) {
      assert.equal(parseVariantName(bad), undefined, bad);
    }
  });
});
