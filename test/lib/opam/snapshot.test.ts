// The whole opam-repository snapshot: every opam file must parse, plus checks of values known from
// particular files, and tests of the snapshot helper itself.
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OpamParseError,
  envFromRecord,
  evalFilterBool,
  field,
  formatVersionConstraint,
  isVersionAllowed,
  packageAtoms,
  packageIdFromPath,
  parseOpamFile,
  readField,
  summarizePackage,
  valueToFilter,
} from '../../../lib/opam/index.ts';
import type { OpamFile, VariableEnv } from '../../../lib/opam/index.ts';
import {
  OPAM_SNAPSHOT_FILE_COUNT,
  ensureOpamSnapshot,
  listOpamFiles,
  opamSnapshotDir,
} from '../../support/opam-snapshot.ts';

function linux(extra: Record<string, string | boolean> = {}): VariableEnv {
  return envFromRecord({
    os: 'linux',
    arch: 'x86_64',
    'os-distribution': 'debian',
    'os-family': 'debian',
    'ocaml:version': '5.2.1',
    build: true,
    post: false,
    'with-test': false,
    'with-doc': false,
    dev: false,
    ...extra,
  });
}

function parseSnapshotFile(dir: string, rel: string): OpamFile {
  const path = join(dir, rel);
  return parseOpamFile(readFileSync(path, 'utf8'), { file: path });
}

describe('opam-repository snapshot', () => {
  test('every opam file parses without error', async (t) => {
    const dir = await opamSnapshotDir(t);
    if (!dir) return;
    const files = listOpamFiles(dir);
    assert.equal(files.length, OPAM_SNAPSHOT_FILE_COUNT);
    const failures: string[] = [];
    let warned = 0;
    for (const path of files) {
      try {
        warned += parseOpamFile(readFileSync(path, 'utf8'), { file: path }).warnings.length > 0 ? 1 : 0;
      } catch (e) {
        if (!(e instanceof OpamParseError)) throw e;
        failures.push(e.message);
      }
    }
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} files failed to parse`);
    // A handful of files repeat a field; opam accepts that, so they are warnings, not errors.
    assert.ok(warned < 20, `${warned} files with warnings`);
  });

  test('every opam file yields a package summary; only extension (x-) fields are malformed', async (t) => {
    const dir = await opamSnapshotDir(t);
    if (!dir) return;
    const env = linux();
    const bad: string[] = [];
    let available = 0;
    for (const path of listOpamFiles(dir)) {
      const file = parseOpamFile(readFileSync(path, 'utf8'), { file: path });
      const s = summarizePackage(file, packageIdFromPath(path));
      assert.ok(s.name && s.version, path);
      for (const p of s.problems) if (!p.field?.startsWith('x-')) bad.push(p.message);
      // Evaluating must not throw either.
      packageAtoms(s.depends, env);
      if (evalFilterBool(s.available, env)) available++;
    }
    assert.deepEqual(bad, []);
    // Most packages are available on Linux; a sanity check that evaluation is not all-false.
    assert.ok(available > OPAM_SNAPSHOT_FILE_COUNT * 0.9, `${available} available on linux`);
  });

  test('dune.3.6.2: conflicts, a nested depends formula and the url section', async (t) => {
    const dir = await opamSnapshotDir(t);
    if (!dir) return;
    const file = parseSnapshotFile(dir, 'packages/dune/dune.3.6.2/opam');
    const s = summarizePackage(file, { name: 'dune', version: '3.6.2' });
    assert.equal(s.synopsis, 'Fast, portable, and opinionated build system');
    assert.deepEqual(s.bugReports, ['https://github.com/ocaml/dune/issues']);
    assert.deepEqual(
      packageAtoms(s.conflicts, linux()).map((a) => `${a.name} ${formatVersionConstraint(a.constraint)}`),
      [
        'merlin < "3.4.0"',
        'ocaml-lsp-server < "1.3.0"',
        'dune-configurator < "2.3.0"',
        'odoc < "2.0.1"',
        'dune-release < "1.3.0"',
        'js_of_ocaml-compiler < "3.6.0"',
        'jbuilder = "transition"',
      ],
    );
    assert.deepEqual(
      packageAtoms(s.depends, linux()).map((a) => [a.name, formatVersionConstraint(a.constraint)]),
      [
        ['ocaml', '>= "4.08"'],
        ['ocaml', '>= "4.02" & < "4.08~~"'],
        ['ocamlfind-secondary', ''],
        ['base-unix', ''],
        ['base-threads', ''],
      ],
    );
    assert.equal(isVersionAllowed(s.depends, linux(), 'ocaml', '4.05.0'), true);
    assert.equal(isVersionAllowed(s.depends, linux(), 'ocaml', '4.01.0'), false);
    assert.equal(s.url?.src, 'https://github.com/ocaml/dune/releases/download/3.6.2/dune-3.6.2.tbz');
    assert.equal(s.url?.checksums.length, 2);
    assert.equal(field(file, 'x-commit-hash')?.kind, 'string');
  });

  test('ocaml.5.2.1: alternatives, os filters and setenv', async (t) => {
    const dir = await opamSnapshotDir(t);
    if (!dir) return;
    const file = parseSnapshotFile(dir, 'packages/ocaml/ocaml.5.2.1/opam');
    const depends = readField(file, 'depends');
    assert.ok(depends);
    const names = (env: VariableEnv): string[] => packageAtoms(depends, env).map((a) => a.name);
    assert.deepEqual(names(linux()), [
      'ocaml-config',
      'ocaml-base-compiler',
      'ocaml-variants',
      'ocaml-system',
      'dkml-base-compiler',
    ]);
    assert.deepEqual(names(linux({ os: 'win32' })).slice(-2), ['ocaml-env-mingw64', 'ocaml-env-mingw32']);
    assert.equal(isVersionAllowed(depends, linux(), 'ocaml-base-compiler', '5.2.1'), true);
    // The alternatives are joined by |, so another compiler package could satisfy the formula:
    // ocaml-base-compiler 5.2.2 alone does not make it unsatisfiable.
    assert.equal(isVersionAllowed(depends, linux(), 'ocaml-base-compiler', '5.2.2'), true);
    assert.equal(isVersionAllowed(depends, linux(), 'ocaml-config', '3'), true);
    assert.equal(isVersionAllowed(depends, linux(), 'ocaml-config', '2'), false);
    assert.deepEqual(
      readField(file, 'setenv')?.map((u) => `${u.name} ${u.op} ${u.value}`),
      [
        'OCAMLTOP_INCLUDE_PATH += %{toplevel}%',
        'CAML_LD_LIBRARY_PATH = %{_:stubsdir}%',
        'CAML_LD_LIBRARY_PATH += %{lib}%/stublibs',
        'OCAML_TOPLEVEL_PATH = %{toplevel}%',
      ],
    );
  });

  test('git-net.0.2.3 repeats x-ci-accept-failures: a warning, and the first one counts', async (t) => {
    const dir = await opamSnapshotDir(t);
    if (!dir) return;
    const file = parseSnapshotFile(dir, 'packages/git-net/git-net.0.2.3/opam');
    assert.deepEqual(
      file.warnings.map((w) => [w.code, w.line]),
      [['duplicate-field', 48]],
    );
    assert.deepEqual(readField(file, 'x-ci-accept-failures'), [
      'alpine-3.21',
      'fedora-41',
      'fedora-42',
      'opensuse-15.6',
      'opensuse-tumbleweed',
    ]);
  });

  test('the repo file: announcements filtered on opam-version', async (t) => {
    const dir = await opamSnapshotDir(t);
    if (!dir) return;
    const file = parseSnapshotFile(dir, 'repo');
    const announce = field(file, 'announce');
    assert.ok(announce?.kind === 'list');
    const shown = (vars: Record<string, string>): number[] =>
      announce.items.flatMap((item, i) =>
        item.kind === 'option' && evalFilterBool(valueToFilter(item.options[0] ?? item), envFromRecord(vars)) ? [i] : [],
      );
    assert.deepEqual(shown({ 'opam-version': '2.0.9', os: 'linux' }), [0]);
    assert.deepEqual(shown({ 'opam-version': '2.0.10', os: 'linux' }), [1]);
    assert.deepEqual(shown({ 'opam-version': '2.1.5', os: 'macos' }), [0, 2]);
    assert.deepEqual(shown({ 'opam-version': '2.5.2', os: 'linux' }), []);
  });
});

describe('opam snapshot helper', () => {
  function fakeContext(): { t: TestContext; skipped: string[] } {
    const skipped: string[] = [];
    const t = { skip: (msg?: string) => skipped.push(msg ?? '') } as unknown as TestContext;
    return { t, skipped };
  }

  test('a missing tarball skips with instructions outside CI', async () => {
    const saved = process.env.CI;
    delete process.env.CI;
    try {
      const { t, skipped } = fakeContext();
      const dir = await opamSnapshotDir(t, { tarball: '/nonexistent/opam-repository.tar.gz' });
      assert.equal(dir, undefined);
      assert.equal(skipped.length, 1);
      assert.match(skipped[0] ?? '', /not found at \/nonexistent\/opam-repository\.tar\.gz.*CID_OPAM_REPO_TARBALL/);
    } finally {
      if (saved !== undefined) process.env.CI = saved;
    }
  });

  test('a missing tarball fails when CI=true', async () => {
    const saved = process.env.CI;
    process.env.CI = 'true';
    try {
      const { t, skipped } = fakeContext();
      await assert.rejects(opamSnapshotDir(t, { tarball: '/nonexistent/opam-repository.tar.gz' }), /not found.*CI=true/);
      assert.deepEqual(skipped, []);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });

  test('unpacks once, reuses while size and mtime hold, unpacks again when they change', async () => {
    const work = mkdtempSync(join(tmpdir(), 'cid-snapshot-'));
    try {
      const src = join(work, 'src');
      mkdirSync(join(src, 'packages', 'a', 'a.1'), { recursive: true });
      writeFileSync(join(src, 'packages', 'a', 'a.1', 'opam'), 'opam-version: "2.0"\n');
      writeFileSync(join(src, 'repo'), 'opam-version: "2.0"\n');
      const tarball = join(work, 'snap.tar.gz');
      const pack = (): void => {
        const r = spawnSync('tar', ['-czf', tarball, '-C', src, 'packages', 'repo']);
        assert.equal(r.status, 0, String(r.stderr));
      };
      pack();
      const cacheDir = join(work, 'cache', 'opam-repository');

      const first = await ensureOpamSnapshot({ tarball, cacheDir });
      assert.ok(first.ok);
      assert.deepEqual(listOpamFiles(first.dir), [join(cacheDir, 'packages', 'a', 'a.1', 'opam')]);
      const marker = join(cacheDir, 'marker');
      writeFileSync(marker, '');

      // Unchanged tarball: the directory is reused as is (our marker survives).
      const second = await ensureOpamSnapshot({ tarball, cacheDir });
      assert.ok(second.ok);
      assert.ok(statSync(marker).isFile());

      // A new tarball (different size and mtime): unpacked afresh.
      mkdirSync(join(src, 'packages', 'b', 'b.2'), { recursive: true });
      writeFileSync(join(src, 'packages', 'b', 'b.2', 'opam'), 'opam-version: "2.0"\n');
      pack();
      utimesSync(tarball, new Date(), new Date(Date.now() + 5000));
      const third = await ensureOpamSnapshot({ tarball, cacheDir });
      assert.ok(third.ok);
      assert.equal(listOpamFiles(third.dir).length, 2);
      assert.throws(() => statSync(marker), { code: 'ENOENT' });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
