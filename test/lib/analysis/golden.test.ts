// Golden files for generated specs and Dockerfiles: test/fixtures/analysis/golden/<scenario>/.
// Run with UPDATE_GOLDEN=1 to rewrite them after an intended change, then review the diff.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../lib/analysis/analyze.ts';
import { renderDockerfile } from '../../../lib/analysis/dockerfile.ts';
import { presetPlatforms } from '../../../lib/analysis/platforms.ts';
import type { Platform } from '../../../lib/analysis/platforms.ts';
import type { MemoryRepo } from './support.ts';
import { COMMIT, FIXTURES, GOLDEN_DIR, assertGolden, diskRepo, memoryRepo, opamFile, platforms } from './support.ts';

const fileName = (job: string) => `${job.replace(/[()]/g, '')}.Dockerfile`;

async function checkScenario(scenario: string, repo: MemoryRepo, ps: Platform[]): Promise<void> {
  const result = await analyze({ files: repo.files, readFile: repo.readFile, platforms: ps, opamRepoCommit: COMMIT });
  const dir = join(GOLDEN_DIR, scenario);
  if (process.env.UPDATE_GOLDEN === '1') rmSync(dir, { recursive: true, force: true });
  assertGolden(`${scenario}/result.json`, `${JSON.stringify(result, null, 2)}\n`);
  for (const job of result.jobs) {
    assertGolden(`${scenario}/${fileName(job.name)}`, renderDockerfile(job.spec, { title: job.name }));
  }
  // No stale golden Dockerfile for a job that is no longer planned.
  const onDisk = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.Dockerfile')).sort() : [];
  assert.deepEqual(onDisk, result.jobs.map((j) => fileName(j.name)).sort());
}

describe('golden specs and Dockerfiles', () => {
  it('the fixture project on the minimal preset', async () => {
    await checkScenario('fixture-minimal', diskRepo(join(FIXTURES, 'ocaml-project')), presetPlatforms('minimal'));
  });

  it('the fixture project on a preinstalled image', async () => {
    await checkScenario(
      'fixture-preinstalled',
      diskRepo(join(FIXTURES, 'ocaml-project')),
      platforms(
        { distro: 'debian-12', ocamlVersion: '4.13', image: 'cid-test/ocaml:bookworm', preinstalled: true },
        { distro: 'debian-12-failing', ocamlVersion: '4.13', image: 'cid-test/ocaml:bookworm', preinstalled: true, env: { CID_FIXTURE_FAIL: '1' } },
      ),
    );
  });

  it('pins, .ocamlformat, only-packages, Fedora, arm64 and (lower-bound)', async () => {
    const repo = memoryRepo({
      'dune-project': '(lang dune 3.0)',
      '.ocamlformat': 'profile = conventional\nversion = 0.27.0\n',
      'core.opam': opamFile({ depends: '"ocaml" {>= "4.14"} "dune" {>= "3.0"} "vendored" {= version}' }),
      'extra.opam': opamFile({ depends: '"ocaml" {>= "5.0"} "core" {= version}', available: 'arch != "arm64"' }),
      'vendor/vendored/vendored.opam': opamFile({ depends: '"dune"' }),
      'test/ignored.opam': opamFile(),
    });
    await checkScenario(
      'features',
      repo,
      platforms(
        // (lower-bound) goes to the lowest OCaml of these, 4.14, where only `core` installs.
        { distro: 'debian-13', ocamlVersion: '5.4', lowerBound: true },
        { distro: 'debian-13', ocamlVersion: '4.14', lowerBound: true },
        { distro: 'fedora-44', ocamlVersion: '5.4' },
        { distro: 'debian-13', ocamlVersion: '5.4', arch: 'arm64' },
      ),
    );
  });

  it('an opam-monorepo project', async () => {
    const repo = memoryRepo({
      'dune-project': '(lang dune 3.0)',
      'app.opam': opamFile({ depends: '"ocaml" "dune" "fmt"' }),
      'app.opam.locked': opamFile({
        extra: 'x-opam-monorepo-version: "0.3"',
        depends: '"ocaml" {= "5.5.0"} "dune" {= "3.16.0"} "fmt" {= "0.9.0"}',
      }),
    });
    await checkScenario('monorepo', repo, presetPlatforms('minimal'));
  });
});
