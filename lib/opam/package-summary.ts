// The typed view of an opam package file that the analysis, linting and reverse-dependency code
// share: every field they read, with opam's defaults for absent ones.
import type { OpamFile } from './ast.ts';
import type { Command, Depext, EnvUpdate, ExtraFile, PinDepend, UrlSection } from './fields.ts';
import type { FieldType, KnownField } from './fields.ts';
import { readField, readUrl } from './fields.ts';
import { OpamFieldError } from './errors.ts';
import type { Filter } from './filter.ts';
import { EMPTY } from './formula.ts';
import type { PackageFormula } from './package-formula.ts';
import type { PackageId } from './package-id.ts';

export interface PackageSummary {
  /** `name:` if written, else the name the caller derived (e.g. from the repository path). */
  name: string | undefined;
  version: string | undefined;
  opamVersion: string | undefined;
  synopsis: string | undefined;
  maintainers: string[];
  authors: string[];
  license: string[];
  homepage: string[];
  bugReports: string[];
  devRepo: string | undefined;
  depends: PackageFormula;
  depopts: PackageFormula;
  conflicts: PackageFormula;
  /** `true` when absent. */
  available: Filter;
  flags: string[];
  build: Command[];
  install: Command[];
  runTest: Command[];
  buildEnv: EnvUpdate[];
  pinDepends: PinDepend[];
  extraFiles: ExtraFile[];
  depexts: Depext[];
  /** Distributions on which opam-repository's CI tolerates failure. */
  xCiAcceptFailures: string[];
  url: UrlSection | undefined;
  /** Fields that were present but malformed, and so read as absent. */
  problems: OpamFieldError[];
}

export interface SummarizeOptions {
  /** Throw the first field error instead of collecting it in `problems`. */
  strict?: boolean;
}

/**
 * Reads every field of the summary. Like opam outside its strict mode, a field with a shape opam
 * would reject is reported (in `problems`) and read as absent rather than spoiling the rest;
 * `strict` throws the {@link OpamFieldError} instead. `id` supplies the name and version when the
 * file does not (opam-repository files usually leave them to the directory name).
 */
export function summarizePackage(
  file: OpamFile,
  id: Partial<PackageId> = {},
  options: SummarizeOptions = {},
): PackageSummary {
  const problems: OpamFieldError[] = [];
  const get = <K extends KnownField>(name: K): FieldType<K> | undefined => {
    try {
      return readField(file, name);
    } catch (e) {
      if (options.strict || !(e instanceof OpamFieldError)) throw e;
      problems.push(e);
      return undefined;
    }
  };
  let url: UrlSection | undefined;
  try {
    url = readUrl(file);
  } catch (e) {
    if (options.strict || !(e instanceof OpamFieldError)) throw e;
    problems.push(e);
  }
  return {
    name: get('name') ?? id.name,
    version: get('version') ?? id.version,
    opamVersion: get('opam-version'),
    synopsis: get('synopsis'),
    maintainers: get('maintainer') ?? [],
    authors: get('authors') ?? [],
    license: get('license') ?? [],
    homepage: get('homepage') ?? [],
    bugReports: get('bug-reports') ?? [],
    devRepo: get('dev-repo'),
    depends: get('depends') ?? EMPTY,
    depopts: get('depopts') ?? EMPTY,
    conflicts: get('conflicts') ?? EMPTY,
    available: get('available') ?? { kind: 'bool', value: true },
    flags: get('flags') ?? [],
    build: get('build') ?? [],
    install: get('install') ?? [],
    runTest: get('run-test') ?? [],
    buildEnv: get('build-env') ?? [],
    pinDepends: get('pin-depends') ?? [],
    extraFiles: get('extra-files') ?? [],
    depexts: get('depexts') ?? [],
    xCiAcceptFailures: get('x-ci-accept-failures') ?? [],
    url,
    problems,
  };
}
