import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ocamlformatConfig, ocamlformatVersionOf } from '../../../lib/analysis/ocamlformat.ts';

describe('.ocamlformat', () => {
  it('finds the version line among others, tolerating spaces', () => {
    assert.deepEqual(ocamlformatVersionOf('profile=conventional\n  version =  0.26.2  \nmargin=80\n').versions, ['0.26.2']);
  });

  it('is absent without a dotfile', () => {
    assert.deepEqual(ocamlformatConfig(undefined, ['a.opam'], ['a.opam']), { ok: true, source: undefined });
  });

  it('is an error without a version line, unless formatting is disabled', () => {
    assert.deepEqual(ocamlformatConfig('profile=default\n', [], []), { ok: false, message: "Missing 'version=' line in .ocamlformat" });
    assert.deepEqual(ocamlformatConfig('disable\n', [], []), { ok: true, source: undefined });
    assert.deepEqual(ocamlformatConfig('disable = true\n', [], []), { ok: true, source: undefined });
  });

  it('is an error when disabled but .ocamlformat-enable files exist', () => {
    const r = ocamlformatConfig('disable\n', [], ['.ocamlformat', 'src/.ocamlformat-enable']);
    assert.deepEqual(r, {
      ok: false,
      message: "Missing 'version=' line in .ocamlformat (disabled, but some .ocamlformat-enable files are present)",
    });
  });

  it('is an error with several version lines', () => {
    assert.deepEqual(ocamlformatConfig('version=0.26.0\nversion=0.27.0\n', [], []), {
      ok: false,
      message: "Multiple 'version=' lines in .ocamlformat",
    });
  });

  it('uses a vendored ocamlformat when the repository has ocamlformat.opam', () => {
    assert.deepEqual(ocamlformatConfig('version=0.27.0\n', ['ocamlformat.opam'], []), { ok: true, source: { kind: 'vendored', path: '.' } });
    assert.deepEqual(ocamlformatConfig('version=0.27.0\n', ['vendor/ocamlformat/ocamlformat.opam'], []), {
      ok: true,
      source: { kind: 'vendored', path: 'vendor/ocamlformat' },
    });
  });
});
