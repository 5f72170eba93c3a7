// Build specs for opam-repository jobs, in the layout of opam-repo-ci's lib/opam_build.ml: the
// PR's merged repository replaces the image's opam-repository, the release is pinned at its
// version and reinstalled; tests run without network; lower bounds ask the solver for the oldest
// versions. Every step before the package-specific ones is shared, so the step cache serves them.
import type { BuildSpec, OpamJobType, Step } from '../contract/index.ts';
import type { Platform } from '../analysis/index.ts';
import { platformEnv } from '../analysis/opam-build.ts';
import { copy, env, OPAM_ARCHIVES, run, shellQuote, SOURCE_EXCLUDES, user, workdir } from '../analysis/steps.ts';
import { parsePackageId } from '../opam/index.ts';

/** Where the merged repository is copied in the container. */
export const REPO_DIR = '/src';
/** opam-repo-ci's solver criteria for lower bounds: prefer old versions, then fewer changes. */
export const LOWER_BOUNDS_CRITERIA = '+removed,+count[version-lag,solution]';
/** opam's exit code when the package itself built but something else failed. */
const OPAM_PARTIAL_FAILURE = 31;

export interface OpamRepoJob {
  platform: Platform;
  /** The changed release, "name.version". */
  pkg: string;
  type: OpamJobType;
  /** For revdep jobs: the reverse dependency to build with the new release. */
  revdep?: string;
}

/** The environment opam-repo-ci sets for every build. */
const OPAM_ENV: ReadonlyArray<[string, string]> = [
  ['OPAMDOWNLOADJOBS', '1'],
  ['OPAMERRLOGLEN', '0'],
  ['OPAMPRECISETRACKING', '1'],
  ['CI', 'true'],
  ['OPAM_REPO_CI', 'true'],
];

/**
 * `opam reinstall` with opam-repo-ci's diagnosis: when the target built but a dependency failed
 * (exit 31), say which, and whether x-ci-accept-failures excuses it on this distro.
 */
export function installScript(target: string, distro: string, flags = ''): string {
  const q = shellQuote(target);
  return [
    `opam reinstall${flags} ${q};`,
    'res=$?;',
    `test "$res" != ${OPAM_PARTIAL_FAILURE} && exit "$res";`,
    'export OPAMCLI=2.0;',
    'build_dir=$(opam var prefix)/.opam-switch/build;',
    'failed=$(ls "$build_dir");',
    'partial_fails="";',
    'for pkg in $failed; do',
    `if opam show -f x-ci-accept-failures: "$pkg" | grep -qF ${shellQuote(`"${distro}"`)}; then`,
    `echo "A package failed and has been disabled for CI using the 'x-ci-accept-failures' field.";`,
    'fi;',
    `test "$pkg" != ${q} && partial_fails="$partial_fails $pkg";`,
    'done;',
    'test "${partial_fails}" != "" && echo "opam-repo-ci detected dependencies failing: ${partial_fails}";',
    'exit 1',
  ].join('\n');
}

/** The shared prefix: opam selected and initialised, the merged repository as `default`. */
export function repositorySteps(p: Platform): Step[] {
  const steps: Step[] = [user(1000, 1000), ...OPAM_ENV.map(([k, v]) => env(k, v)), ...platformEnv(p), workdir('/home/opam')];
  // Fedora's image lacks xargs, which opam's depext handling needs.
  if (p.distro.startsWith('fedora')) steps.push(run('sudo dnf install -y findutils', { network: true }));
  steps.push(
    run(`sudo ln -f /usr/bin/opam-${p.opamVersion} /usr/bin/opam`),
    run('opam init --reinit -ni'),
    run('opam option solver=builtin-0install && opam config report'),
    copy(['.'], `${REPO_DIR}/`, SOURCE_EXCLUDES),
    run(`opam repository set-url default file://${REPO_DIR}`),
    run('opam update --depexts', { network: true }),
  );
  return steps;
}

export function opamRepoJobSpec(job: OpamRepoJob): BuildSpec {
  const id = parsePackageId(job.pkg);
  if (!id) throw new Error(`not a package release: ${job.pkg}`);
  const p = job.platform;
  const pkg = shellQuote(job.pkg);
  const steps: Step[] = repositorySteps(p);
  if (job.type === 'lower-bounds') {
    for (const name of ['OPAMCRITERIA', 'OPAMFIXUPCRITERIA', 'OPAMUPGRADECRITERIA']) steps.push(env(name, LOWER_BOUNDS_CRITERIA));
  }
  steps.push(run(`opam pin add -k version -yn ${pkg} ${shellQuote(id.version)}`));
  const install = (target: string, flags = '') => run(installScript(target, p.distro, flags), { network: true, cache: [OPAM_ARCHIVES] });
  switch (job.type) {
    case 'build':
    case 'lower-bounds':
      steps.push(install(job.pkg));
      break;
    case 'tests':
      steps.push(
        install(job.pkg),
        run(`opam install --deps-only --with-test ${pkg}`, { network: true, cache: [OPAM_ARCHIVES] }),
        // Tests must not reach the network.
        run(`opam reinstall --with-test --verbose ${pkg}`),
      );
      break;
    case 'revdep': {
      if (!job.revdep) throw new Error(`revdep job for ${job.pkg} without a revdep`);
      steps.push(install(job.revdep));
      break;
    }
  }
  return { from: p.image, steps };
}
