import type { BuildSpec } from '../contract/index.ts';
import type { OcamlformatConfig } from './ocamlformat.ts';
import { onlyPackagesFlag, opamPrelude, projectDepsSteps, SRC_DIR } from './opam-build.ts';
import type { OpamBuildInput } from './opam-build.ts';
import type { Platform } from './platforms.ts';
import { copy, OPAM_ARCHIVES, run, shellQuote, SOURCE_EXCLUDES, user } from './steps.ts';

// The lint jobs of ocaml-ci's lib/lint.ml. They start with the same steps as a build on their
// platform, so those steps are shared in the cache.

/**
 * (lint-fmt): install the ocamlformat .ocamlformat names, then `dune build @fmt`. A bad
 * .ocamlformat gives a job that fails with the reason, as in ocaml-ci.
 */
export function fmtSpec(platform: Platform, opamRepoCommit: string, config: OcamlformatConfig): BuildSpec {
  if (!config.ok) {
    return { from: platform.image, steps: [user(1000, 1000), run(`echo ${shellQuote(`Error: ${config.message}`)}; exit 2`)] };
  }
  const source = config.source;
  const net = { network: true, cache: [OPAM_ARCHIVES] };
  const cli = `--cli=${platform.opamVersion}`;
  const install =
    source === undefined
      ? []
      : source.kind === 'opam'
        ? [run(`opam install ${cli} -y ${shellQuote(`ocamlformat=${source.version}`)}`, net)]
        : [
            copy([source.path === '.' ? 'ocamlformat.opam' : `${source.path}/ocamlformat.opam`], `${SRC_DIR}/${source.path === '.' ? '' : `${source.path}/`}`),
            run(`opam pin add -k path -n ocamlformat ${shellQuote(source.path)}`, { network: true }),
            run(`opam install ${cli} --deps-only -y ocamlformat`, net),
          ];
  return {
    from: platform.image,
    steps: [
      ...opamPrelude(platform, opamRepoCommit),
      // dune itself, not necessarily the project's version: @fmt only needs the rules.
      run(`opam install ${cli} -y dune`, net),
      ...install,
      copy(['.'], `${SRC_DIR}/`, SOURCE_EXCLUDES),
      run('opam exec -- dune build @fmt --ignore-promoted-rules || (echo "dune build @fmt failed"; exit 2)'),
    ],
  };
}

/**
 * (lint-doc): build the documentation with odoc, as ocaml-ci does: ODOC_WARN_ERROR=false ("until
 * odoc becomes a bit more helpful and lenient"), so odoc's warnings are printed and only a failed
 * build of the docs fails the job. `warningsAsErrors: true` makes the warnings errors instead.
 */
export function docSpec(input: OpamBuildInput, opts: { warningsAsErrors?: boolean } = {}): BuildSpec {
  const cli = `--cli=${input.platform.opamVersion}`;
  const warnError = opts.warningsAsErrors === true ? 'true' : 'false';
  return {
    from: input.platform.image,
    steps: [
      ...projectDepsSteps(input),
      // Warnings-as-errors arrived in odoc 1.5.0.
      run(`opam install ${cli} -y dune 'odoc>=1.5.0'`, { network: true, cache: [OPAM_ARCHIVES] }),
      copy(['.'], `${SRC_DIR}/`, SOURCE_EXCLUDES),
      run(
        `ODOC_WARN_ERROR=${warnError} opam exec -- dune build${onlyPackagesFlag(input.onlyPackages)} @doc || (echo "dune build @doc failed"; exit 2)`,
      ),
    ],
  };
}

/** (lint-opam): `opam lint` and opam-dune-lint (opam files agree with dune-project and the code). */
export function opamLintSpec(input: OpamBuildInput): BuildSpec {
  const cli = `--cli=${input.platform.opamVersion}`;
  return {
    from: input.platform.image,
    steps: [
      ...projectDepsSteps(input),
      run(`opam install ${cli} -y opam-dune-lint`, { network: true, cache: [OPAM_ARCHIVES] }),
      copy(['.'], `${SRC_DIR}/`, SOURCE_EXCLUDES),
      run('opam lint'),
      run('opam exec -- opam-dune-lint'),
    ],
  };
}
