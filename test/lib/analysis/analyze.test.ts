import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AnalysisResultSchema } from '../../../lib/contract/index.ts';
import type { PlannedJob } from '../../../lib/contract/index.ts';
import { analyze } from '../../../lib/analysis/analyze.ts';
import { AnalysisError } from '../../../lib/analysis/errors.ts';
import { presetPlatforms } from '../../../lib/analysis/platforms.ts';
import { join } from 'node:path';
import { COMMIT, diskRepo, FIXTURES, memoryRepo, opamFile, platforms } from './support.ts';

const run = async (contents: Record<string, string>, ps = presetPlatforms('all'), extra: { lint?: boolean } = {}) => {
  const repo = memoryRepo(contents);
  return analyze({ files: repo.files, readFile: repo.readFile, platforms: ps, opamRepoCommit: COMMIT, ...extra });
};
const names = (jobs: PlannedJob[]) => jobs.map((j) => j.name);
const buildCmd = (j: PlannedJob | undefined) => {
  const last = j?.spec.steps.at(-1);
  return last?.op === 'run' ? last.shell : '';
};
const simple = { 'a.opam': opamFile({ depends: '"ocaml" {>= "4.08"} "dune"' }), 'dune-project': '(lang dune 3.0)' };

describe('analyze', () => {
  it('plans one build per platform plus lint jobs and (lower-bound), and the result satisfies the contract', async () => {
    const ps = presetPlatforms('all');
    const r = await run(simple, ps);
    assert.doesNotThrow(() => AnalysisResultSchema.parse(r));
    assert.deepEqual(names(r.jobs.filter((j) => j.kind === 'build')), ['(lower-bound)', ...ps.map((p) => p.variant)]);
    assert.deepEqual(names(r.jobs.filter((j) => j.kind === 'lint')), ['(lint-doc)', '(lint-opam)']);
    assert.deepEqual(r.dropped, []);
    assert.deepEqual(r.info, { roots: ['a.dev'], pinned: [], monorepo: false });
  });

  it('puts each job in its platform pool, with a longer timeout on riscv64', async () => {
    const r = await run(simple);
    const riscv = r.jobs.find((j) => j.name.includes('_riscv64_'));
    assert.equal(riscv?.pool, 'linux-riscv64');
    assert.equal(riscv?.timeoutSeconds, 3 * 3600);
    assert.equal(r.jobs.find((j) => j.name.includes('_s390x_'))?.timeoutSeconds, 3600);
  });

  it('drops platforms whose OCaml the roots exclude, with the reason', async () => {
    const r = await run({ 'a.opam': opamFile({ depends: '"ocaml" {>= "5.0"}' }) });
    const dropped = r.dropped.filter((d) => !d.variant.startsWith('('));
    assert.ok(dropped.length > 0);
    for (const d of dropped) {
      assert.match(d.variant, /-4\.14_/);
      assert.equal(d.reason, 'a: ocaml >= 5.0 required');
    }
    assert.ok(!r.jobs.some((j) => j.kind === 'build' && /-4\.14_/.test(j.name)));
  });

  it('drops a platform only when every root is unavailable there', async () => {
    const r = await run({
      'a.opam': opamFile({ available: 'arch != "s390x"' }),
      'b.opam': opamFile({ available: 'arch != "s390x" & arch != "riscv64"' }),
    });
    assert.deepEqual(r.dropped, [
      {
        variant: 'debian-13-5.5_s390x_opam-2.5',
        reason: 'a: not available here (available: arch != "s390x"); b: not available here (available: arch != "s390x" & arch != "riscv64")',
      },
    ]);
    // riscv64: a can install, b cannot: build only a.
    const riscv = r.jobs.find((j) => j.name === 'debian-13-5.5_riscv64_opam-2.5');
    assert.match(buildCmd(riscv), /^opam exec -- dune build --only-packages=a @install @check @runtest && rm -rf _build$/);
    const deps = riscv?.spec.steps.find((s) => s.op === 'run' && s.shell.startsWith('opam install --cli=2.5 --deps-only'));
    assert.equal(deps?.op === 'run' ? deps.shell : '', 'opam install --cli=2.5 --deps-only --with-test -y a.dev');
    // x86_64: both install, no --only-packages.
    const main = r.jobs.find((j) => j.name === 'debian-13-5.5_opam-2.5');
    assert.doesNotMatch(buildCmd(main), /only-packages/);
  });

  it('groups roots dropped for the same reason', async () => {
    const r = await run(
      { 'a.opam': opamFile({ depends: '"ocaml" {>= "5.0"}' }), 'b.opam': opamFile({ depends: '"ocaml" {>= "5.0"}' }) },
      platforms({ distro: 'debian-13', ocamlVersion: '5.4' }, { distro: 'debian-13', ocamlVersion: '4.14' }),
    );
    assert.deepEqual(r.dropped, [{ variant: 'debian-13-4.14_opam-2.5', reason: 'a, b: ocaml >= 5.0 required' }]);
  });

  it('builds a root that needs the newest OCaml of the pinned opam-repository on it (ocaml-lsp on 5.5)', async () => {
    const r = await analyze({ ...diskRepo(join(FIXTURES, 'analysis/needs-newest-ocaml')), platforms: presetPlatforms('all'), opamRepoCommit: COMMIT });
    const onlyLibraries = (name: string) =>
      r.jobs.find((j) => j.name === name)?.spec.steps.some((s) => s.op === 'run' && s.shell.includes('--only-packages=jsonrpc,lsp'));
    const main = r.jobs.filter((j) => j.kind === 'build' && /^debian-13-[\d.]+_opam-2\.5$/.test(j.name)).map((j) => j.name);
    assert.deepEqual(
      main.filter((n) => !onlyLibraries(n)),
      ['debian-13-5.5_opam-2.5'],
      'ocaml-lsp-server builds on 5.5, and only there',
    );
    assert.equal(onlyLibraries('debian-13-5.4_opam-2.5'), true, 'on 5.4 the libraries only');
  });

  it('fails when no platform is left, listing why', async () => {
    await assert.rejects(
      run({ 'a.opam': opamFile({ depends: '"ocaml" {< "4.00"}' }) }, presetPlatforms('minimal')),
      (err: unknown) =>
        err instanceof AnalysisError &&
        err.message ===
          'No solution found for any supported platform:\ndebian-13-5.5_opam-2.5: a: ocaml < 4.00 required\ndebian-13-4.14_opam-2.5: a: ocaml < 4.00 required',
    );
  });

  it('uses the platform OCaml patch release, so bounds on patch versions work', async () => {
    const r = await run(
      { 'a.opam': opamFile({ depends: '"ocaml" {>= "5.2.0" & < "5.3.0"}' }) },
      platforms({ distro: 'debian-13', ocamlVersion: '5.2' }, { distro: 'debian-13', ocamlVersion: '5.3.0' }),
    );
    assert.deepEqual(names(r.jobs.filter((j) => j.kind === 'build')), ['debian-13-5.2_opam-2.5']);
  });

  it('judges available with os-distribution of each distro', async () => {
    const r = await run({ 'a.opam': opamFile({ available: 'os-distribution != "alpine" & os-family != "suse"' }) });
    assert.deepEqual(
      r.dropped.map((d) => d.variant),
      ['alpine-3.24-5.5_opam-2.5', 'alpine-3.24-4.14_opam-2.5', 'opensuse-16.0-5.5_opam-2.5', 'opensuse-16.0-4.14_opam-2.5'],
    );
  });

  it('reports pins and pin-depends in info, and copies each directory of opam files separately', async () => {
    const r = await run(
      {
        'a.opam': opamFile({ extra: 'pin-depends: ["dep.1.0" "git+https://example.com/dep.git"]' }),
        'vendor/x/x.opam': opamFile(),
        'vendor/x/y.opam': opamFile(),
        'lib/z/z.opam': opamFile(),
      },
      presetPlatforms('minimal'),
    );
    assert.deepEqual(r.info.pinned, ['z.dev', 'x.dev', 'y.dev', 'dep.1.0']);
    const copies = r.jobs[r.jobs.length - 1]?.spec.steps.filter((s) => s.op === 'copy').map((s) => (s.op === 'copy' ? [s.src, s.dst] : []));
    assert.deepEqual(copies, [
      [['a.opam'], '/src/'],
      [['lib/z/z.opam'], '/src/lib/z/'],
      [['vendor/x/x.opam', 'vendor/x/y.opam'], '/src/vendor/x/'],
      [['.'], '/src/'],
    ]);
  });
});

describe('lint jobs', () => {
  it('(lint-fmt) only with an .ocamlformat, installing its version, on the lowest OCaml', async () => {
    const without = await run(simple);
    assert.ok(!names(without.jobs).includes('(lint-fmt)'));
    const r = await run({ ...simple, '.ocamlformat': 'version = 0.27.0\n' });
    const fmt = r.jobs.find((j) => j.name === '(lint-fmt)');
    assert.ok(fmt);
    assert.equal(r.info.ocamlformatVersion, '0.27.0');
    assert.equal(fmt.kind, 'lint');
    assert.equal(fmt.spec.from, 'ocaml/opam:debian-13-ocaml-4.14');
    const shells = fmt.spec.steps.flatMap((s) => (s.op === 'run' ? [s.shell] : []));
    assert.ok(shells.includes('opam install --cli=2.5 -y ocamlformat=0.27.0'));
    assert.equal(shells.at(-1), 'opam exec -- dune build @fmt --ignore-promoted-rules || (echo "dune build @fmt failed"; exit 2)');
  });

  it('(lint-fmt) fails with the reason when .ocamlformat has no version', async () => {
    const r = await run({ ...simple, '.ocamlformat': 'profile = default\n' });
    const fmt = r.jobs.find((j) => j.name === '(lint-fmt)');
    assert.equal(buildCmd(fmt), `echo 'Error: Missing '\\''version='\\'' line in .ocamlformat'; exit 2`);
  });

  it('(lint-doc) on the lowest OCaml x86_64 platform that is left', async () => {
    const r = await run({ 'a.opam': opamFile({ depends: '"ocaml" {>= "5.1"}' }) });
    const doc = r.jobs.find((j) => j.name === '(lint-doc)');
    assert.equal(doc?.spec.from, 'ocaml/opam:debian-13-ocaml-5.1');
    assert.equal(doc?.pool, 'linux-x86_64');
  });

  it('(lint-doc) lets odoc warnings pass as ocaml-ci does: only a failed build of the docs fails it', async () => {
    // A project whose documentation has odoc warnings (a reference to nothing, unbalanced markup).
    const r = await analyze({ ...diskRepo(join(FIXTURES, 'analysis/doc-warnings')), platforms: presetPlatforms('minimal'), opamRepoCommit: COMMIT });
    const doc = r.jobs.find((j) => j.name === '(lint-doc)');
    assert.equal(doc?.experimental, false, '(lint-doc) is a required job, as in ocaml-ci');
    assert.equal(buildCmd(doc), 'ODOC_WARN_ERROR=false opam exec -- dune build @doc || (echo "dune build @doc failed"; exit 2)');
    const strict = await analyze({ ...memoryRepo(simple), platforms: presetPlatforms('minimal'), opamRepoCommit: COMMIT, docWarningsAsErrors: true });
    assert.match(buildCmd(strict.jobs.find((j) => j.name === '(lint-doc)')), /^ODOC_WARN_ERROR=true /, 'warnings as errors only when asked');
  });

  it('(lint-opam) is experimental, on the lowest x86_64 OCaml >= 4.14 that can install opam-dune-lint', async () => {
    // The default catalogue lists the newest OCaml first; ocaml-ci still lints on 4.14.
    const r = await run(simple);
    assert.equal(presetPlatforms('all')[0]?.variant, 'debian-13-5.5_opam-2.5');
    const lint = r.jobs.find((j) => j.name === '(lint-opam)');
    assert.equal(lint?.experimental, true);
    assert.equal(lint?.spec.from, 'ocaml/opam:debian-13-ocaml-4.14');
    const shells = lint?.spec.steps.flatMap((s) => (s.op === 'run' ? [s.shell] : []));
    assert.deepEqual(shells?.slice(-2), ['opam lint', 'opam exec -- opam-dune-lint']);
    const older = await run(simple, platforms({ distro: 'debian-12', ocamlVersion: '4.13' }));
    assert.ok(!names(older.jobs).includes('(lint-opam)'));
    assert.deepEqual(older.dropped, [{ variant: '(lint-opam)', reason: 'no x86_64 platform with opam and OCaml >= 4.14 is left to run it on' }]);
  });

  it('(lint-opam) skips what the roots rule out, older OCaml and other architectures', async () => {
    const newest = await run({ 'a.opam': opamFile({ depends: '"ocaml" {>= "5.2"}' }) });
    assert.equal(newest.jobs.find((j) => j.name === '(lint-opam)')?.spec.from, 'ocaml/opam:debian-13-ocaml-5.2');
    const mixed = await run(
      simple,
      platforms(
        { distro: 'debian-13', ocamlVersion: '5.5' },
        { distro: 'debian-13', ocamlVersion: '4.14', arch: 'arm64' },
        { distro: 'ubuntu-24.04', ocamlVersion: '5.1' },
        { distro: 'debian-12', ocamlVersion: '4.13' },
        { distro: 'fedora-44', ocamlVersion: '5.3' },
      ),
    );
    assert.equal(mixed.jobs.find((j) => j.name === '(lint-opam)')?.spec.from, 'ocaml/opam:ubuntu-24.04-ocaml-5.1');
    assert.equal(mixed.jobs.find((j) => j.name === '(lint-doc)')?.spec.from, 'ocaml/opam:debian-12-ocaml-4.13', '(lint-doc) keeps the lowest OCaml');
  });

  it('never runs on preinstalled images or other architectures', async () => {
    const r = await run(
      { ...simple, '.ocamlformat': 'version=0.27.0' },
      platforms(
        { distro: 'debian-12', ocamlVersion: '4.13', image: 'cid-test:bookworm', preinstalled: true },
        { distro: 'debian-13', ocamlVersion: '5.4', arch: 'arm64' },
      ),
    );
    assert.deepEqual(names(r.jobs), ['debian-12-4.13_opam-2.5', 'debian-13-5.4_arm64_opam-2.5']);
    assert.deepEqual(
      r.dropped.map((d) => d.variant),
      ['(lint-fmt)', '(lint-doc)', '(lint-opam)'],
    );
  });

  it('can be turned off', async () => {
    const r = await run({ ...simple, '.ocamlformat': 'version=0.27.0' }, presetPlatforms('minimal'), { lint: false });
    assert.ok(r.jobs.every((j) => j.kind === 'build'));
    assert.deepEqual(r.dropped, []);
  });
});

describe('(lower-bound)', () => {
  const shells = (j: PlannedJob | undefined) => j?.spec.steps.flatMap((s) => (s.op === 'run' ? [s.shell] : [])) ?? [];
  const envs = (j: PlannedJob | undefined) => j?.spec.steps.flatMap((s) => (s.op === 'env' ? [`${s.name}=${s.value}`] : [])) ?? [];
  const criteria = '+removed,+count[version-lag,solution]';

  it('is one experimental build on the main distro with the lowest OCaml, after the lint jobs', async () => {
    const r = await run(simple);
    const low = r.jobs.find((j) => j.name === '(lower-bound)');
    assert.ok(low);
    assert.equal(low.kind, 'build');
    assert.equal(low.experimental, true);
    assert.equal(low.pool, 'linux-x86_64');
    assert.equal(low.timeoutSeconds, 3600);
    assert.equal(low.spec.from, 'ocaml/opam:debian-13-ocaml-4.14');
    assert.deepEqual(names(r.jobs).slice(0, 3), ['(lint-doc)', '(lint-opam)', '(lower-bound)']);
    assert.equal(r.jobs.filter((j) => j.name === '(lower-bound)').length, 1);
  });

  it('shares the steps of the build on its platform up to the pins, then solves for the oldest versions and runs the tests', async () => {
    const r = await run(simple);
    const low = r.jobs.find((j) => j.name === '(lower-bound)');
    const build = r.jobs.find((j) => j.name === 'debian-13-4.14_opam-2.5');
    assert.ok(low && build);
    const pins = build.spec.steps.findIndex((s) => s.op === 'run' && s.shell.startsWith('opam pin add'));
    // The dune-project step after the pins is shared too.
    assert.deepEqual(low.spec.steps.slice(0, pins + 2), build.spec.steps.slice(0, pins + 2));
    assert.deepEqual(low.spec.steps.slice(pins + 2, pins + 6), [
      { op: 'run', shell: 'opam option solver=builtin-0install && opam config report', network: false, cache: [] },
      { op: 'env', name: 'OPAMCRITERIA', value: criteria },
      { op: 'env', name: 'OPAMFIXUPCRITERIA', value: criteria },
      { op: 'env', name: 'OPAMUPGRADECRITERIA', value: criteria },
    ]);
    // Then exactly the build's dependency install, source copy and dune build with @runtest.
    assert.deepEqual(low.spec.steps.slice(pins + 6), build.spec.steps.slice(pins + 2));
    assert.equal(buildCmd(low), 'opam exec -- dune build @install @check @runtest && rm -rf _build');
    assert.ok(shells(low).includes('opam install --cli=2.5 --deps-only --with-test -y a.dev'));
    assert.ok(!envs(build).some((e) => e.startsWith('OPAMCRITERIA=')), 'ordinary builds keep the default solver');
  });

  it('takes the lowest OCaml the roots accept, and builds only the roots that install there', async () => {
    const newer = await run({ 'a.opam': opamFile({ depends: '"ocaml" {>= "5.1"}' }) });
    assert.equal(newer.jobs.find((j) => j.name === '(lower-bound)')?.spec.from, 'ocaml/opam:debian-13-ocaml-5.1');
    const split = await run({ 'a.opam': opamFile(), 'b.opam': opamFile({ depends: '"ocaml" {>= "5.0"}' }) });
    const low = split.jobs.find((j) => j.name === '(lower-bound)');
    assert.equal(low?.spec.from, 'ocaml/opam:debian-13-ocaml-4.14');
    assert.ok(shells(low).includes('opam install --cli=2.5 --deps-only --with-test -y a.dev'));
    assert.equal(buildCmd(low), 'opam exec -- dune build --only-packages=a @install @check @runtest && rm -rf _build');
  });

  it('runs only on platforms the catalogue marks lowerBound: none in the minimal preset, as ocaml-ci', async () => {
    const r = await run(simple, presetPlatforms('minimal'));
    assert.ok(!names(r.jobs).includes('(lower-bound)'));
    assert.deepEqual(r.dropped, []);
    const marked = await run(
      simple,
      platforms({ distro: 'ubuntu-24.04', ocamlVersion: '4.14' }, { distro: 'ubuntu-24.04', ocamlVersion: '5.4', lowerBound: true }),
    );
    assert.equal(marked.jobs.find((j) => j.name === '(lower-bound)')?.spec.from, 'ocaml/opam:ubuntu-24.04-ocaml-5.4');
  });

  it('is dropped with the reason when the roots rule out every marked platform', async () => {
    const r = await run(
      { 'a.opam': opamFile({ depends: '"ocaml" {>= "5.0"}' }) },
      platforms({ distro: 'debian-13', ocamlVersion: '4.14', lowerBound: true }, { distro: 'debian-13', ocamlVersion: '5.4' }),
    );
    assert.ok(!names(r.jobs).includes('(lower-bound)'));
    assert.deepEqual(r.dropped.at(-1), { variant: '(lower-bound)', reason: 'no platform marked lowerBound is left to run it on' });
  });

  it('is never planned on preinstalled images (no opam) nor for opam-monorepo projects', async () => {
    const pre = await run(simple, platforms({ distro: 'debian-12', ocamlVersion: '4.13', image: 'cid-test:bookworm', preinstalled: true }));
    assert.ok(!names(pre.jobs).includes('(lower-bound)'));
    assert.ok(!pre.dropped.some((d) => d.variant === '(lower-bound)'));
    const mono = await run({
      'dune-project': '(lang dune 3.0)',
      'app.opam': opamFile({ depends: '"ocaml" "dune"' }),
      'app.opam.locked': opamFile({ extra: 'x-opam-monorepo-version: "0.3"', depends: '"ocaml" {= "5.4.1"} "dune" {= "3.16.0"}' }),
    });
    assert.equal(mono.info.monorepo, true);
    assert.ok(!names(mono.jobs).includes('(lower-bound)'));
    assert.ok(!mono.dropped.some((d) => d.variant === '(lower-bound)'));
  });
});

describe('preinstalled platforms', () => {
  it('build with dune alone, offline, with the platform environment', async () => {
    const r = await run(
      simple,
      platforms({ distro: 'debian-12', ocamlVersion: '4.13', image: 'cid-test:bookworm', preinstalled: true, env: { CID_FIXTURE_FAIL: '1' } }),
    );
    const [j] = r.jobs;
    assert.equal(j?.spec.from, 'cid-test:bookworm');
    assert.deepEqual(j?.spec.steps, [
      { op: 'env', name: 'CID_FIXTURE_FAIL', value: '1' },
      { op: 'workdir', path: '/src' },
      { op: 'copy', src: ['.'], dst: '/src/', exclude: ['.git', '_build', '_opam'] },
      { op: 'run', shell: 'dune build @install @runtest', network: false, cache: [] },
    ]);
  });

  it('are still dropped by the roots constraints', async () => {
    const r = await run(
      { 'a.opam': opamFile({ depends: '"ocaml" {>= "4.14"}' }) },
      platforms({ distro: 'debian-12', ocamlVersion: '4.13', image: 'cid-test:bookworm', preinstalled: true }, { distro: 'debian-13', ocamlVersion: '5.4' }),
      { lint: false },
    );
    assert.deepEqual(r.dropped, [{ variant: 'debian-12-4.13_opam-2.5', reason: 'a: ocaml >= 4.14 required' }]);
  });
});

describe('opamRepoCommit', () => {
  it('must be a plain revision', async () => {
    const repo = memoryRepo(simple);
    await assert.rejects(analyze({ ...repo, opamRepoCommit: 'x; rm -rf /' }), /opamRepoCommit "x; rm -rf \/" must be an opam-repository commit/);
  });
});

describe('speed', () => {
  it('analyses a 20-opam-file repository against the default catalogue in well under 100 ms', async () => {
    const { run: bench } = await import('../../../bench/analysis.ts');
    const figures = await bench({ runs: 15, warmup: 3 });
    assert.equal(figures.opamFiles, 20);
    // CPU time, not wall time: in CI the other core's tests (Docker builds, the solver's oracle)
    // stretch wall time with waits that are not the analysis's cost.
    assert.ok(figures.cpuMedianMs < 100, `median ${figures.cpuMedianMs} ms of CPU (${figures.medianMs} ms wall)`);
  });
});
