import type { BuildSpec } from '../contract/index.ts';
import { AnalysisError } from './errors.ts';
import { opamPrelude, SRC_DIR } from './opam-build.ts';
import { fullOcamlVersion } from './opam-vars.ts';
import type { Platform } from './platforms.ts';
import type { LockFile } from './repo-content.ts';
import { copy, env, OPAM_ARCHIVES, run, shellQuote, SOURCE_EXCLUDES } from './steps.ts';
import { majorMinor } from './variant.ts';

// opam-monorepo mode (ocaml-ci's lib/opam_monorepo.ml): a lock file fixes every dependency, so
// each lock file is built once, on the main distro, with the OCaml it names: opam-monorepo pulls
// the sources into duniverse/ and dune builds everything together.

export interface MonorepoLock {
  path: string;
  lockVersion: '0.2' | '0.3';
  ocamlVersion: string;
  duneVersion: string;
}

/** opam-monorepo releases that read each lock file format. */
const PLUGIN_RANGE: Record<MonorepoLock['lockVersion'], [string, string]> = {
  '0.2': ['0.2.6', '0.3.0'],
  '0.3': ['0.3.0', '0.4.0'],
};

export function readLock(lock: LockFile): MonorepoLock {
  const v = lock.facts.monorepoVersion;
  if (v === '0.1') {
    throw new AnalysisError(
      `${lock.path}: lockfile version 0.1 is not supported anymore. Please re-run opam-monorepo lock from a recent version of opam-monorepo.`,
      { file: lock.path },
    );
  }
  if (v !== '0.2' && v !== '0.3') throw new AnalysisError(`${lock.path}: unknown x-opam-monorepo-version "${v}"`, { file: lock.path });
  const need = (pkg: string): string => {
    const version = lock.facts.exactDependency(pkg);
    if (version === undefined) {
      throw new AnalysisError(`${lock.path}: the lock file does not fix the version of "${pkg}" (expected "${pkg}" {= "…"} in depends)`, {
        file: lock.path,
      });
    }
    return version;
  };
  return { path: lock.path, lockVersion: v, ocamlVersion: need('ocaml'), duneVersion: need('dune') };
}

/**
 * The platform for a lock file: the first x86_64 opam platform with the same OCaml major.minor
 * (the catalogue lists the main distro first); failing that, the first x86_64 opam platform,
 * where the build creates a switch with the locked compiler.
 */
export function monorepoPlatform(lock: MonorepoLock, platforms: readonly Platform[]): Platform {
  const candidates = platforms.filter((p) => p.arch === 'x86_64' && !p.preinstalled);
  const same = candidates.find((p) => majorMinor(p.ocamlVersion) === majorMinor(lock.ocamlVersion));
  const chosen = same ?? candidates[0];
  if (chosen === undefined) {
    throw new AnalysisError(`${lock.path}: opam-monorepo builds need an x86_64 platform with opam, and the catalogue has none`);
  }
  return chosen;
}

export function monorepoSpec(lock: MonorepoLock, platform: Platform, opamRepoCommit: string): BuildSpec {
  const net = { network: true, cache: [OPAM_ARCHIVES] };
  const lockArg = shellQuote(`./${lock.path}`);
  const [lo, hi] = PLUGIN_RANGE[lock.lockVersion];
  const tools = [`dune=${lock.duneVersion}`, `opam-monorepo>=${lo}`, `opam-monorepo<${hi}`].map(shellQuote).join(' ');
  // The image's compiler is used when it is the locked one; otherwise make a switch with it.
  const createSwitch =
    fullOcamlVersion(platform.ocamlVersion) === lock.ocamlVersion
      ? []
      : [run(`opam switch create ${shellQuote(`ocaml-base-compiler.${lock.ocamlVersion}`)}`, net)];
  return {
    from: platform.image,
    steps: [
      ...opamPrelude(platform, opamRepoCommit),
      ...createSwitch,
      env('CI', 'true'),
      env('OCAMLCI', 'true'),
      run(`opam update --depexts && opam install --cli=${platform.opamVersion} --depext-only -y ${tools}`, net),
      run(`opam install --cli=${platform.opamVersion} -y ${tools}`, net),
      copy(['dune-project', lock.path], `${SRC_DIR}/`),
      run(`opam monorepo depext --yes --lock ${lockArg}`, net),
      ...(lock.lockVersion === '0.3' ? [run(`opam install --yes --ignore-pin-depends --deps-only ${lockArg}`, net)] : []),
      run(`opam exec -- opam monorepo pull --lockfile=${lockArg}`, net),
      copy(['.'], `${SRC_DIR}/`, SOURCE_EXCLUDES),
      run('opam exec -- dune build @install'),
      run('opam exec -- dune runtest'),
    ],
  };
}
