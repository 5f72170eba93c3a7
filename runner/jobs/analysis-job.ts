import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunnerJob } from '../../lib/contract/index.ts';
import {
  AnalysisError,
  analyze,
  builtinOcamlReleases,
  parsePlatformCatalogue,
  presetPlatforms,
  isPresetName,
  PlatformCatalogueError,
} from '../../lib/analysis/index.ts';
import type { OcamlReleases, PresetName } from '../../lib/analysis/index.ts';
import { looksLikeOpamRepository } from '../../lib/opam-repo/index.ts';
import { listFiles } from './list-files.ts';
import type { JobOutcome } from './job-outcome.ts';
import { runOpamRepoAnalysis } from './opam-repo-analysis.ts';
import type { PrCommitsOptions } from '../source/pr-commits.ts';
import type { UniverseAtResult } from './opam-repo-universe.ts';

/** The OCaml releases at an opam-repository commit (ocamlReleasesAt, bound to the runner's settings). */
export type ReleasesAt = (opamRepoCommit: string) => Promise<OcamlReleases>;
/** The packages at an opam-repository commit, for the solver (universeAt, bound to the runner's settings). */
export type UniverseAt = (opamRepoCommit: string) => Promise<UniverseAtResult>;

const NO_SOLVER = 'platforms are judged by `available` and the `ocaml` constraint alone, and opam solves in each build';

function checkedPreset(name: string): PresetName {
  if (!isPresetName(name)) throw new PlatformCatalogueError(`unknown platform preset "${name}"`);
  return name;
}

/**
 * The (analysis) job: read the commit's opam files and plan the build matrix. Runs in-process.
 * An opam repository (configured as one, or with a `repo` file and `packages/`) is analysed as
 * opam-repo-ci does instead; that needs `opamRepo` (the work directory and the job token).
 * A preset catalogue is made of the OCaml releases `releasesAt` finds at the pinned
 * opam-repository commit (without it, or when it cannot read them: cid's built-in list).
 * With `universeAt`, each platform is solved against that commit's packages (exact dependency
 * sets; platforms without a solution dropped); without it, or when they cannot be read, the log
 * says so and platforms are judged as before.
 */
export async function runAnalysisJob(
  job: RunnerJob,
  sourceDir: string,
  log: (line: string) => void,
  opamRepo?: PrCommitsOptions,
  releasesAt?: ReleasesAt,
  universeAt?: UniverseAt,
): Promise<JobOutcome> {
  const params = job.params;
  if (!params) return { status: 'errored', reason: 'the (analysis) job has no parameters (platform catalogue, opam-repository commit)' };
  try {
    const p = params.platforms;
    const preset = 'preset' in p ? checkedPreset(p.preset) : undefined;
    const files = await listFiles(sourceDir);
    if (opamRepo && (params.opamRepository === true || looksLikeOpamRepository(files))) {
      // The control plane expands this plan with its own copy of the catalogue (platformsOf), made
      // of the built-in releases: both sides must use the same platforms.
      const platforms = 'preset' in p ? presetPlatforms(checkedPreset(p.preset)) : parsePlatformCatalogue(p.text, p.file);
      log(`Analysing ${job.repo} at ${job.sha} as an opam repository: ${platforms.length} platforms\n`);
      return await runOpamRepoAnalysis(job, { ...opamRepo, platforms, ...(params.maxRevdeps === undefined ? {} : { maxRevdeps: params.maxRevdeps }), log });
    }
    let platforms;
    if (preset !== undefined) {
      const found = releasesAt ? await releasesAt(params.opamRepoCommit) : builtinOcamlReleases('this runner reads no opam-repository');
      log(`OCaml releases from ${found.source}: ${found.releases.join(', ')}\n`);
      platforms = presetPlatforms(preset, found.releases);
    } else if ('file' in p) {
      platforms = parsePlatformCatalogue(p.text, p.file);
    } else {
      throw new PlatformCatalogueError('the (analysis) job names no platform catalogue');
    }
    log(`Analysing ${job.repo} at ${job.sha}: ${files.length} files, ${platforms.length} platforms, opam-repository ${params.opamRepoCommit}\n`);
    const packages = universeAt ? await universeAt(params.opamRepoCommit) : { ok: false as const, reason: 'this runner reads no opam-repository' };
    if (packages.ok) {
      const how = packages.cached ? `loaded earlier in ${packages.loadMs} ms` : `loaded in ${packages.loadMs} ms`;
      log(`Solving against opam-repository ${params.opamRepoCommit}: ${packages.releases} releases (${how})\n`);
    } else {
      log(`Not solving (${packages.reason}): ${NO_SOLVER}\n`);
    }
    const result = await analyze({
      files,
      readFile: async (path) => {
        const full = join(sourceDir, path);
        if ((await stat(full)).size > 1024 * 1024) throw new AnalysisError(`${path} is over 1 MiB`);
        return readFile(full, 'utf8');
      },
      platforms,
      opamRepoCommit: params.opamRepoCommit,
      ...(packages.ok ? { universe: packages.universe } : {}),
      log: (line) => log(`${line}\n`),
    });
    for (const j of result.jobs) log(`job ${j.name} on ${j.pool}${j.experimental ? ' (experimental)' : ''}\n`);
    for (const d of result.dropped) log(`not built: ${d.variant}: ${d.reason}\n`);
    return { status: 'passed', output: result };
  } catch (err) {
    if (err instanceof AnalysisError || err instanceof PlatformCatalogueError) {
      log(`Error: ${err.message}\n`);
      return { status: 'failed', reason: err.message.split('\n')[0] };
    }
    throw err;
  }
}
