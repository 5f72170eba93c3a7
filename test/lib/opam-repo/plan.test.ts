import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { BuildSpecSchema } from '../../../lib/contract/index.ts';
import { parsePlatformCatalogue, presetPlatforms, renderDockerfile } from '../../../lib/analysis/index.ts';
import {
  analyzeChanges,
  expandPlan,
  jobName,
  opamRepoJobSpec,
  opamRepoMatrix,
  parseJobName,
  planJobs,
  revdepPlatforms,
  RevdepsIndex,
} from '../../../lib/opam-repo/index.ts';
import type { ChangedPackage } from '../../../lib/contract/index.ts';
import { MINI, memoryTree, readTree, releasesOf } from './support.ts';

describe('the opam-repository matrix', () => {
  test("the `all` preset: compilers, distributions and extras, labelled as in opam-repo-ci's names", () => {
    const m = opamRepoMatrix(presetPlatforms('all'));
    assert.equal(m.mainDistro, 'debian-13');
    const by = (g: string) => m.platforms.filter((p) => p.group === g).map((p) => p.label);
    assert.deepEqual(by('compilers'), ['5.5', '5.4', '5.3', '5.2', '5.1', '5.0', '4.14']);
    assert.ok(by('distributions').includes('ubuntu-24.04-4.14') && by('distributions').includes('fedora-44-5.5'));
    assert.deepEqual(by('extras'), ['arm64-5.5', 'ppc64le-5.5', 's390x-5.5', 'riscv64-5.5']);
    assert.deepEqual(revdepPlatforms(m).map((p) => p.label), ['4.14', '5.5']);
  });

  test('job names round-trip', () => {
    const mp = { group: 'compilers' as const, label: '5.3' };
    const names = [
      jobName(mp, 'bytestring.0.0.8'),
      jobName(mp, 'bytestring.0.0.8', { type: 'tests' }),
      jobName(mp, 'bytestring.0.0.8', { type: 'lower-bounds' }),
      jobName(mp, 'bytestring.0.0.8', { type: 'revdep', revdep: 'gluon.0.0.8' }),
    ];
    assert.deepEqual(names, [
      'compilers,5.3,bytestring.0.0.8',
      'compilers,5.3,bytestring.0.0.8,tests',
      'compilers,5.3,bytestring.0.0.8,lower-bounds',
      'compilers,5.3,bytestring.0.0.8,revdeps,gluon.0.0.8',
    ]);
    assert.deepEqual(names.map((n) => parseJobName(n)?.type), ['build', 'tests', 'lower-bounds', 'revdep']);
    assert.equal(parseJobName(names[3] as string)?.revdep, 'gluon.0.0.8');
    for (const other of ['(analysis)', 'debian-13-5.4_opam-2.5', 'compilers,5.3', 'compilers,5.3,x,revdeps']) assert.equal(parseJobName(other), undefined);
  });

  test('platforms without opam are dropped; a catalogue without the main distro picks its first x86_64 one', () => {
    const m = opamRepoMatrix(
      parsePlatformCatalogue(
        `- { distro: ubuntu-24.04, ocamlVersion: "5.2" }\n- { distro: ubuntu-24.04, ocamlVersion: "4.14", opamVersion: "2.3" }\n- { distro: local, ocamlVersion: "4.14", image: "cid-test/ocaml:bookworm", preinstalled: true }\n`,
        'c.yml',
      ),
    );
    assert.equal(m.mainDistro, 'ubuntu-24.04');
    assert.deepEqual(m.platforms.map((p) => `${p.group},${p.label}`), ['compilers,5.2', 'compilers,4.14_opam-2.3']);
    assert.deepEqual(m.dropped, [{ variant: 'local-4.14_opam-2.5', reason: 'the image has no opam' }]);
  });
});

describe('planning', () => {
  const files = readTree(MINI);
  const index = RevdepsIndex.build(releasesOf(files));
  const textOf = (pkg: string) => files.get(`packages/${pkg.slice(0, pkg.indexOf('.'))}/${pkg}/opam`);
  const matrix = opamRepoMatrix(presetPlatforms('all'));

  test('a release is built on every platform, skipped where its OCaml constraint rules it out', () => {
    const packages: ChangedPackage[] = [{ pkg: 'old.1.0', change: 'new-release', hasTests: true }];
    const { jobs } = planJobs({ packages, matrix, textOf, revdeps: () => [] });
    const builds = jobs.filter((j) => j.type === 'build');
    assert.equal(builds.length, matrix.platforms.length);
    assert.ok(builds.every((j) => j.skip?.startsWith('ocaml < 4.06 required')), JSON.stringify(builds[0]));
    assert.deepEqual(jobs.filter((j) => j.type !== 'build'), [], 'no tests or lower bounds where it cannot be installed');
  });

  test('tests on the newest OCaml, lower bounds on the oldest; x-ci-accept-failures makes a distro experimental', () => {
    const text = 'opam-version: "2.0"\ndepends: ["ocaml" {>= "5.0"} "alcotest" {with-test}]\nx-ci-accept-failures: ["alpine-3.24"]\n';
    const { jobs } = planJobs({ packages: [{ pkg: 'new.1.0', change: 'new-package', hasTests: true }], matrix, textOf: () => text, revdeps: () => [] });
    const c = jobs.filter((j) => j.name.startsWith('compilers,'));
    assert.deepEqual(
      c.map((j) => [j.name, j.skip ?? 'built']),
      [
        ['compilers,5.5,new.1.0', 'built'],
        ['compilers,5.4,new.1.0', 'built'],
        ['compilers,5.3,new.1.0', 'built'],
        ['compilers,5.2,new.1.0', 'built'],
        ['compilers,5.1,new.1.0', 'built'],
        ['compilers,5.0,new.1.0', 'built'],
        ['compilers,4.14,new.1.0', 'ocaml >= 5.0 required'],
        ['compilers,5.5,new.1.0,tests', 'built'],
        ['compilers,5.0,new.1.0,lower-bounds', 'built'],
      ],
    );
    assert.deepEqual(jobs.filter((j) => j.experimental).map((j) => j.name), ['distributions,alpine-3.24-5.5,new.1.0', 'distributions,alpine-3.24-4.14,new.1.0']);
  });

  test('revdeps: newest release per package, direct first, never one of the PR, each once per PR, capped', () => {
    const packages: ChangedPackage[] = [
      { pkg: 'base-a.2.0', change: 'new-release', hasTests: false },
      { pkg: 'mid.1.0', change: 'significantly-changed', hasTests: false },
      { pkg: 'opt.1.0', change: 'insignificantly-changed', hasTests: false },
    ];
    const revdeps = (pkg: string, exclude: ReadonlySet<string>) => index.revdeps(pkg, { exclude });
    const all = planJobs({ packages, matrix, textOf, revdeps });
    assert.deepEqual(all.revdeps.map((r) => [r.pkg, r.total, r.capped, r.builds.map((b) => [b.variant, b.packages])]), [
      // opt.1.0 is in the PR; top.1.0 comes through mid, which is too.
      [
        'base-a.2.0',
        4,
        0,
        [
          ['debian-13-4.14_opam-2.5', ['choice.1.0', 'tester.1.0', 'versioned.2.0', 'top.1.0']],
          ['debian-13-5.5_opam-2.5', ['choice.1.0', 'tester.1.0', 'versioned.2.0', 'top.1.0']],
        ],
      ],
      // top.1.0 and conflicting.1.0 depend on mid; top was taken by base-a.2.0 already.
      [
        'mid.1.0',
        2,
        0,
        [
          ['debian-13-4.14_opam-2.5', ['conflicting.1.0']],
          ['debian-13-5.5_opam-2.5', ['conflicting.1.0']],
        ],
      ],
    ]);
    const capped = planJobs({ packages, matrix, textOf, revdeps, maxRevdeps: 2 });
    assert.deepEqual(capped.revdeps.map((r) => [r.pkg, r.capped, r.builds[0]?.packages]), [
      ['base-a.2.0', 2, ['choice.1.0', 'tester.1.0']],
      ['mid.1.0', 2, []],
    ]);
  });

  test('analyzeChanges over in-memory trees: reads only what it needs', async () => {
    const base = new Map(files);
    base.delete('packages/base-a/base-a.2.0/opam');
    const merged = new Map(files);
    const mergedTree = memoryTree(merged);
    const r = await analyzeChanges({
      changedPaths: ['packages/base-a/base-a.2.0/opam', 'CHANGES.md'],
      base: memoryTree(base),
      merged: mergedTree,
      platforms: presetPlatforms('minimal'),
    });
    assert.deepEqual(r.analysis.packages, [{ pkg: 'base-a.2.0', change: 'new-release', hasTests: false }]);
    assert.equal(r.analysis.revdeps[0]?.total, 6);
    assert.equal(mergedTree.reads, 1 + [...merged.keys()].filter((p) => p.endsWith('/opam')).length, 'the whole repository once, for the revdeps');

    const noRevdeps = memoryTree(merged);
    const r2 = await analyzeChanges({ changedPaths: ['packages/opt/opt.1.0/opam'], base: memoryTree(base), merged: noRevdeps, platforms: presetPlatforms('minimal') });
    assert.equal(r2.analysis.packages[0]?.change, 'insignificantly-changed');
    assert.equal(noRevdeps.reads, 1, 'no revdeps to find: only the changed file is read');
  });
});

describe('build specs and their expansion', () => {
  const [p] = presetPlatforms('minimal');
  assert.ok(p);

  test("a build in opam-repo-ci's layout: merged repository as default, pin, reinstall with diagnosis", () => {
    const spec = BuildSpecSchema.parse(opamRepoJobSpec({ platform: p, pkg: 'fmt.0.10.0', type: 'build' }));
    const text = renderDockerfile(spec);
    for (const want of [
      'FROM ocaml/opam:debian-13-ocaml-5.5',
      'ENV OPAMDOWNLOADJOBS="1"',
      'ENV OPAMERRLOGLEN="0"',
      'ENV OPAMPRECISETRACKING="1"',
      'ENV CI="true"',
      'ENV OPAM_REPO_CI="true"',
      'COPY --chown=1000:1000 . /src/',
      'RUN --network=none opam repository set-url default file:///src',
      'RUN --network=none opam pin add -k version -yn fmt.0.10.0 0.10.0',
      'opam reinstall fmt.0.10.0;',
      'opam-repo-ci detected dependencies failing',
      'grep -qF \'"debian-13"\'',
    ]) {
      assert.ok(text.includes(want), `${want}\n${text}`);
    }
    assert.ok(!text.includes('OPAMCRITERIA'));
  });

  test('tests run offline; lower bounds set the criteria; revdeps install the revdep', () => {
    const tests = renderDockerfile(opamRepoJobSpec({ platform: p, pkg: 'a.1', type: 'tests' }));
    assert.match(tests, /RUN --mount=type=cache,id=opam-archives,target=\/home\/opam\/\.opam\/download-cache,uid=1000 opam install --deps-only --with-test a\.1\n/);
    assert.match(tests, /RUN --network=none opam reinstall --with-test --verbose a\.1\n/);
    const low = renderDockerfile(opamRepoJobSpec({ platform: p, pkg: 'a.1', type: 'lower-bounds' }));
    assert.match(low, /ENV OPAMCRITERIA="\+removed,\+count\[version-lag,solution\]"/);
    assert.match(low, /ENV OPAMFIXUPCRITERIA=/);
    const rev = renderDockerfile(opamRepoJobSpec({ platform: p, pkg: 'a.1', type: 'revdep', revdep: 'b.2' }));
    assert.match(rev, /opam pin add -k version -yn a\.1 1\n/);
    assert.match(rev, /opam reinstall b\.2;/);
    assert.throws(() => opamRepoJobSpec({ platform: p, pkg: 'a.1', type: 'revdep' }), /without a revdep/);
  });

  test('the control plane expands the plan: specs, pools, bulk revdeps, skipped jobs, vanished platforms', () => {
    const { planned, skipped } = expandPlan(
      {
        packages: [],
        lint: [],
        jobs: [
          { name: 'compilers,5.5,a.1', variant: 'debian-13-5.5_opam-2.5', pkg: 'a.1', type: 'build', experimental: false },
          { name: 'compilers,4.14,a.1', variant: 'debian-13-4.14_opam-2.5', pkg: 'a.1', type: 'build', experimental: false, skip: 'ocaml >= 5.0 required' },
          { name: 'extras,arm64-5.5,a.1', variant: 'debian-13-5.5_arm64_opam-2.5', pkg: 'a.1', type: 'build', experimental: true },
        ],
        revdeps: [
          {
            pkg: 'a.1',
            total: 3,
            capped: 0,
            builds: [
              { variant: 'debian-13-5.5_opam-2.5', packages: ['b.1', 'c.2'] },
              { variant: 'gone-4.14_opam-2.5', packages: ['b.1'] },
            ],
          },
        ],
      },
      presetPlatforms('minimal'),
    );
    assert.deepEqual(
      planned.map((j) => [j.name, j.kind, j.pool, j.priority, j.timeoutSeconds]),
      [
        ['compilers,5.5,a.1', 'opam-repo', 'linux-x86_64', 'urgent', 7200],
        ['compilers,5.5,a.1,revdeps,b.1', 'opam-repo', 'linux-x86_64', 'bulk', 7200],
        ['compilers,5.5,a.1,revdeps,c.2', 'opam-repo', 'linux-x86_64', 'bulk', 7200],
      ],
    );
    assert.deepEqual(skipped, [
      { name: 'compilers,4.14,a.1', pool: 'linux-x86_64', reason: 'ocaml >= 5.0 required' },
      { name: 'extras,arm64-5.5,a.1', pool: 'linux-x86_64', reason: 'platform debian-13-5.5_arm64_opam-2.5 is no longer in the catalogue' },
      { name: 'gone-4.14_opam-2.5,a.1,revdeps,b.1', pool: 'linux-x86_64', reason: 'platform gone-4.14_opam-2.5 is no longer in the catalogue' },
    ]);
    assert.match(renderDockerfile(planned[1]?.spec as never), /opam reinstall b\.1;/);
  });
});
