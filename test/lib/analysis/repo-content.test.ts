import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AnalysisError } from '../../../lib/analysis/errors.ts';
import { readOpamFacts } from '../../../lib/analysis/opam-adapter.ts';
import { MAX_OPAM_FILE_BYTES, packageOfFile, readRepoContent, selectOpamFiles } from '../../../lib/analysis/repo-content.ts';
import { memoryRepo, opamFile } from './support.ts';

const read = (contents: Record<string, string>) => {
  const repo = memoryRepo(contents);
  return { repo, content: readRepoContent({ files: repo.files, readFile: repo.readFile, readOpam: readOpamFacts }) };
};

async function analysisError(contents: Record<string, string>): Promise<AnalysisError> {
  try {
    await read(contents).content;
  } catch (err) {
    assert.ok(err instanceof AnalysisError, `expected an AnalysisError, got ${String(err)}`);
    return err;
  }
  return assert.fail('no error');
}

describe('selectOpamFiles', () => {
  it('keeps *.opam up to three directories deep, sorted', () => {
    const { kept } = selectOpamFiles(['b.opam', 'a.opam', 'x/y/z/deep.opam', 'x/y/z/w/too-deep.opam', 'README.md', 'a.opam.locked']);
    assert.deepEqual(kept, ['a.opam', 'b.opam', 'x/y/z/deep.opam']);
  });

  it('skips nested paths with a segment starting with "test", but not top-level files', () => {
    const { kept, notes } = selectOpamFiles(['testing.opam', 'test/t.opam', 'vendor/tests/x.opam', 'vendor/lib/test-helpers.opam', 'vendor/lib/ok.opam']);
    assert.deepEqual(kept, ['testing.opam', 'vendor/lib/ok.opam']);
    assert.equal(notes.length, 3);
    assert.match(notes[0] ?? '', /^Ignoring test directory test\/t\.opam$/);
  });

  it('skips hidden files and directories and build directories', () => {
    const { kept } = selectOpamFiles(['.opam', '.hidden/x.opam', 'a/.b/c.opam', '_build/default/a.opam', '_opam/lib/x.opam', 'ok.opam']);
    assert.deepEqual(kept, ['ok.opam']);
  });
});

describe('packageOfFile', () => {
  it('names packages name.dev unless the file name has a version', () => {
    assert.deepEqual(packageOfFile('foo.opam'), { name: 'foo', pkg: 'foo.dev' });
    assert.deepEqual(packageOfFile('vendor/bar/bar.opam'), { name: 'bar', pkg: 'bar.dev' });
    assert.deepEqual(packageOfFile('foo.1.2.opam'), { name: 'foo', pkg: 'foo.1.2' });
  });
});

describe('readRepoContent', () => {
  it('splits top-level roots from nested pins and ignores empty files', async () => {
    const { content } = read({
      'b.opam': opamFile(),
      'a.opam': opamFile(),
      'empty.opam': '',
      'vendor/lib/lib.opam': opamFile(),
      'dune-project': '(lang dune 3.0)',
    });
    const c = await content;
    assert.deepEqual(
      c.roots.map((r) => r.pkg),
      ['a.dev', 'b.dev'],
    );
    assert.deepEqual(
      c.pinned.map((p) => [p.pkg, p.dir]),
      [['lib.dev', 'vendor/lib']],
    );
    assert.deepEqual(c.opamFiles, ['a.opam', 'b.opam', 'vendor/lib/lib.opam']);
    assert.ok(c.notes.includes('WARNING: ignoring empty opam file empty.opam'));
  });

  it('reads only what it needs', async () => {
    const { repo, content } = read({ 'a.opam': opamFile(), 'src/main.ml': 'let () = ()', 'README.md': '# hi' });
    await content;
    assert.deepEqual(repo.reads, ['a.opam']);
  });

  it('fails with "No opam files found!"', async () => {
    assert.equal((await analysisError({ 'README.md': 'hi', 'empty.opam': '', 'test/x.opam': opamFile() })).message, 'No opam files found!');
  });

  it('fails with "No top-level opam files found!"', async () => {
    assert.equal((await analysisError({ 'vendor/a/a.opam': opamFile() })).message, 'No top-level opam files found!');
  });

  it('rejects opam-version below 2, naming the package and file', async () => {
    const err = await analysisError({ 'old.opam': 'opam-version: "1.2"\nname: "old"\n' });
    assert.equal(err.message, 'Package "old.dev" (old.opam) uses unsupported opam version 1.2 (need >= 2)');
    assert.equal(err.file, 'old.opam');
  });

  it('rejects opam files over 100 KiB, naming the file', async () => {
    const big = opamFile({ extra: `description: "${'x'.repeat(MAX_OPAM_FILE_BYTES)}"` });
    const err = await analysisError({ 'a.opam': opamFile(), 'big.opam': big });
    assert.match(err.message, /^File "big\.opam" too big \(\d+ bytes; opam files may be at most 102400\)$/);
  });

  it('reports opam syntax errors with file:line:column', async () => {
    const err = await analysisError({ 'bad.opam': 'opam-version: "2.0"\ndepends: [\n  "ocaml" {>= }\n]\n' });
    assert.match(err.message, /^Invalid opam file bad\.opam:3:\d+: /);
    assert.equal(err.file, 'bad.opam');
    assert.equal(err.line, 3);
    assert.equal(typeof err.column, 'number');
  });

  it('collects pin-depends of the roots', async () => {
    const c = await read({
      'a.opam': opamFile({ extra: 'pin-depends: [ ["foo.1.0" "git+https://example.com/foo.git#main"] ]' }),
    }).content;
    assert.deepEqual(c.pinDepends, ['foo.1.0']);
  });

  it('detects opam-monorepo lock files only with a dune-project and x-opam-monorepo-version', async () => {
    const lock = opamFile({ extra: 'x-opam-monorepo-version: "0.3"', depends: '"ocaml" {= "4.14.1"} "dune" {= "3.10.0"}' });
    const withAll = await read({ 'a.opam': opamFile(), 'a.opam.locked': lock, 'dune-project': '(lang dune 3.0)' }).content;
    assert.deepEqual(
      withAll.lockFiles.map((l) => l.path),
      ['a.opam.locked'],
    );
    const noProject = await read({ 'a.opam': opamFile(), 'a.opam.locked': lock }).content;
    assert.deepEqual(noProject.lockFiles, []);
    const notMonorepo = await read({ 'a.opam': opamFile(), 'a.opam.locked': opamFile(), 'dune-project': '' }).content;
    assert.deepEqual(notMonorepo.lockFiles, []);
  });

  it('reads the .ocamlformat version', async () => {
    const c = await read({ 'a.opam': opamFile(), '.ocamlformat': 'profile = default\nversion = 0.27.0\n' }).content;
    assert.deepEqual(c.ocamlformat, { ok: true, source: { kind: 'opam', version: '0.27.0' } });
  });
});
