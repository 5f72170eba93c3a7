import type { BuildSpec, Step } from '../contract/index.ts';
import type { Platform } from './platforms.ts';
import type { OpamFileEntry } from './repo-content.ts';
import { copy, env, OPAM_ARCHIVES, run, shellQuote, SOURCE_EXCLUDES, user, workdir } from './steps.ts';

// Build specs in the layout of ocaml-ci's lib/opam_build.ml: everything up to the dependency
// install depends only on the base image, the opam-repository commit and the *.opam files, so
// those steps stay cached until one of them changes; the source is copied last.

export const SRC_DIR = '/src';

export interface OpamGroup {
  /** Directory in the repository, "." for the top level. */
  dir: string;
  files: string[];
  pkgs: string[];
}

/** Opam files grouped by directory, top level first: one copy step per directory. */
export function groupOpamFiles(entries: readonly OpamFileEntry[]): OpamGroup[] {
  const byDir = new Map<string, OpamGroup>();
  for (const e of [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const g = byDir.get(e.dir) ?? { dir: e.dir, files: [], pkgs: [] };
    g.files.push(e.path);
    g.pkgs.push(e.pkg);
    byDir.set(e.dir, g);
  }
  return [...byDir.values()].sort((a, b) => (a.dir === '.' ? -1 : b.dir === '.' ? 1 : a.dir < b.dir ? -1 : 1));
}

/** The catalogue's extra environment for a platform, in a stable order. */
export const platformEnv = (p: Platform): Step[] =>
  Object.keys(p.env)
    .sort()
    .map((k) => env(k, p.env[k] ?? ''));

const inSrc = (dir: string): string => (dir === '.' ? `${SRC_DIR}/` : `${SRC_DIR}/${dir}/`);

/** `sudo ln` to select the opam binary, reset opam-repository, reinit, print versions (ocaml-ci's prelude). */
export function opamPrelude(p: Platform, opamRepoCommit: string): Step[] {
  const commit = shellQuote(opamRepoCommit);
  const steps: Step[] = [
    user(1000, 1000),
    env('CLICOLOR_FORCE', '1'),
    env('OPAMCOLOR', 'always'),
    ...platformEnv(p),
    workdir(SRC_DIR),
  ];
  // Fedora's image lacks xargs, which opam's depext handling needs.
  if (p.distro.startsWith('fedora')) steps.push(run('sudo dnf install -y findutils', { network: true }));
  steps.push(
    run(`sudo ln -f /usr/bin/opam-${p.opamVersion} /usr/bin/opam`),
    // Reset before `opam init --reinit` so opam's repository cache is built for the target commit.
    run(
      `cd ~/opam-repository && (git cat-file -e ${commit} || git fetch origin master) && git reset -q --hard ${commit} && git log --no-decorate -n1 --oneline`,
      { network: true, cache: [OPAM_ARCHIVES] },
    ),
    run('opam init --reinit -ni'),
    run('uname -rs && opam exec -- ocaml -version && opam --version'),
    run(`sudo chown opam ${SRC_DIR}`),
    run('opam update -u', { network: true, cache: [OPAM_ARCHIVES] }),
  );
  return steps;
}

/** Copy the opam files (only them), one copy per directory, and pin every package. */
export function pinOpamFiles(groups: readonly OpamGroup[]): Step[] {
  if (groups.length === 0) return [];
  const nested = groups.filter((g) => g.dir !== '.').map((g) => shellQuote(g.dir));
  const pins = groups.flatMap((g) => g.pkgs.map((pkg) => `opam pin add -yn ${shellQuote(pkg)} ${shellQuote(g.dir)}`));
  return [
    ...(nested.length > 0 ? [run(`mkdir -p ${nested.join(' ')}`)] : []),
    ...groups.map((g) => copy(g.files, inSrc(g.dir))),
    run(pins.join(' && \n'), { network: true }),
    // A dune-project in each pinned directory lets opam "build" packages whose source is not
    // there yet (ocaml-ci's create_dune_project_files); the real source is copied later.
    run(groups.map((g) => `echo '(lang dune 3.0)' > ${shellQuote(g.dir === '.' ? 'dune-project' : `${g.dir}/dune-project`)}`).join(' && \n')),
  ];
}

/**
 * Install the system packages and then the opam dependencies of `pkgs` (with test dependencies,
 * since the build runs the tests). With the solver's exact set (`deps`), as ocaml-ci: the
 * packages other than the roots go in $DEPS and are installed as they are, so the step (and its
 * cache key) changes exactly when the set does. Without it, opam solves at build time.
 */
export function installDeps(p: Platform, pkgs: readonly string[], deps?: readonly string[]): Step[] {
  const list = pkgs.map(shellQuote).join(' ');
  const cli = `--cli=${p.opamVersion}`;
  if (deps !== undefined) {
    const roots = new Set(pkgs);
    const others = deps.filter((d) => !roots.has(d));
    return [
      env('DEPS', others.join(' ')),
      env('CI', 'true'),
      env('OCAMLCI', 'true'),
      run(`opam update --depexts && opam install ${cli} --depext-only -y ${list} $DEPS`, { network: true, cache: [OPAM_ARCHIVES] }),
      run('opam install $DEPS', { network: true, cache: [OPAM_ARCHIVES] }),
    ];
  }
  return [
    env('CI', 'true'),
    env('OCAMLCI', 'true'),
    run(`opam update --depexts && opam install ${cli} --depext-only --with-test -y ${list}`, {
      network: true,
      cache: [OPAM_ARCHIVES],
    }),
    run(`opam install ${cli} --deps-only --with-test -y ${list}`, { network: true, cache: [OPAM_ARCHIVES] }),
  ];
}

/** Package names for `dune build --only-packages`, from pinned "name.version" forms. */
export const onlyPackagesFlag = (onlyPackages: readonly string[]): string =>
  onlyPackages.length === 0 ? '' : ` --only-packages=${onlyPackages.map((p) => p.slice(0, p.indexOf('.') < 0 ? p.length : p.indexOf('.'))).join(',')}`;

export interface OpamBuildInput {
  platform: Platform;
  opamRepoCommit: string;
  /** Every opam file (roots and pins). */
  opamFiles: readonly OpamFileEntry[];
  /** Root packages to build ("name.dev"); all roots unless only some can install here. */
  roots: readonly string[];
  /** Non-empty when only some roots can install here: passed to dune as --only-packages. */
  onlyPackages: readonly string[];
  /** The solver's exact "name.version" set for this platform, when the analysis had a solver. */
  deps?: readonly string[];
}

/**
 * Solver criteria for the oldest versions (opam-repo-ci's, for its lower-bounds jobs). With
 * opam's builtin 0install solver they mean "prefer the oldest version of every package" (and do
 * not keep what the image has installed): the preference ocaml-ci's solver (the 0install solver
 * of solver-service, versions sorted oldest first) uses for its lower-bound selections.
 */
export const LOWER_BOUND_CRITERIA = '+removed,+count[version-lag,solution]';

/** Switch opam to the 0install solver with the lowest-versions criteria, for every later install. */
export function lowerBoundSolverSteps(): Step[] {
  return [
    run('opam option solver=builtin-0install && opam config report'),
    ...['OPAMCRITERIA', 'OPAMFIXUPCRITERIA', 'OPAMUPGRADECRITERIA'].map((name) => env(name, LOWER_BOUND_CRITERIA)),
  ];
}

/**
 * The steps up to installed dependencies, shared with (lint-doc) and (lint-opam). With
 * `lowerBound` the dependencies are the oldest versions the opam files allow; the steps before
 * (image, opam-repository, pins) are the same, so the step cache serves them.
 */
export function projectDepsSteps(input: OpamBuildInput, opts: { lowerBound?: boolean } = {}): Step[] {
  return [
    ...opamPrelude(input.platform, input.opamRepoCommit),
    ...pinOpamFiles(groupOpamFiles(input.opamFiles)),
    // An exact lower-bounds set needs no solver preferences at build time.
    ...(opts.lowerBound === true && input.deps === undefined ? lowerBoundSolverSteps() : []),
    ...installDeps(input.platform, input.onlyPackages.length > 0 ? input.onlyPackages : input.roots, input.deps),
  ];
}

/** Copy the source and build it with its tests (ocaml-ci's run_build). */
function sourceBuildSteps(input: OpamBuildInput): Step[] {
  return [
    copy(['.'], `${SRC_DIR}/`, SOURCE_EXCLUDES),
    run(`opam exec -- dune build${onlyPackagesFlag(input.onlyPackages)} @install @check @runtest && rm -rf _build`),
  ];
}

export function opamBuildSpec(input: OpamBuildInput): BuildSpec {
  return { from: input.platform.image, steps: [...projectDepsSteps(input), ...sourceBuildSteps(input)] };
}

/**
 * (lower-bound): the same build, tests included, with the oldest dependency versions the opam
 * files allow (ocaml-ci builds its lower-bound selection with the ordinary build spec).
 */
export function lowerBoundSpec(input: OpamBuildInput): BuildSpec {
  return { from: input.platform.image, steps: [...projectDepsSteps(input, { lowerBound: true }), ...sourceBuildSteps(input)] };
}

/**
 * For images that already have OCaml and dune and no opam (locally made test images): no
 * network, no opam, just dune on the source.
 */
export function preinstalledBuildSpec(platform: Platform, onlyPackages: readonly string[]): BuildSpec {
  return {
    from: platform.image,
    steps: [
      ...platformEnv(platform),
      workdir(SRC_DIR),
      copy(['.'], `${SRC_DIR}/`, SOURCE_EXCLUDES),
      run(`dune build${onlyPackagesFlag(onlyPackages)} @install @runtest`),
    ],
  };
}
