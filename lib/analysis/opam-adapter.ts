import {
  field,
  filterPackageFormula,
  formatFilter,
  formulaAtoms,
  evalFilter,
  isVersionAllowed,
  OpamFieldError,
  OpamParseError,
  parseOpamFile,
  readField,
  readString,
  versionMatches,
} from '../opam/index.ts';
import type { Formula, OpamFile, ResolvedAtom, VariableEnv, VersionConstraint } from '../opam/index.ts';
import { AnalysisError } from './errors.ts';
import type { OpamFacts, OpamVars } from './opam-facts.ts';

// OpamFacts from the app/opam parser: each file is parsed and its fields read once, then judged
// against every platform's variables.

/** The packages whose version is the platform's OCaml release. */
const COMPILER_PACKAGES = ['ocaml', 'ocaml-base-compiler'];

function toAnalysisError(err: unknown, file: string): unknown {
  if (err instanceof OpamParseError || err instanceof OpamFieldError) {
    return new AnalysisError(`Invalid opam file ${err.message}`, { file, line: err.line, column: err.column, cause: err });
  }
  return err;
}

function extensionString(file: OpamFile, name: string): string | undefined {
  const v = field(file, name);
  return v === undefined ? undefined : readString(v, { file: file.file, field: name });
}

/** `>= "5.0" & < "5.3"` → `>= 5.0 & < 5.3`, for people. */
function plainConstraint(c: Formula<VersionConstraint>): string {
  const joiner = c.kind === 'or' ? ' | ' : ' & ';
  return formulaAtoms(c)
    .map((a) => `${a.op} ${a.version}`)
    .join(joiner);
}

function constrained(f: Formula<ResolvedAtom>, name: string): ResolvedAtom[] {
  return formulaAtoms(f).filter((a) => a.name === name && a.constraint.kind !== 'empty');
}

/** Parses an opam file into the facts the analysis needs; errors become AnalysisErrors with a position. */
export function readOpamFacts(text: string, file: string): OpamFacts {
  try {
    return factsOf(parseOpamFile(text, { file }));
  } catch (err) {
    throw toAnalysisError(err, file);
  }
}

function factsOf(file: OpamFile): OpamFacts {
  const available = readField(file, 'available');
  const depends = readField(file, 'depends');
  const conflicts = readField(file, 'conflicts');
  const pinDepends = readField(file, 'pin-depends') ?? [];

  return {
    opamVersion: readField(file, 'opam-version'),
    monorepoVersion: extensionString(file, 'x-opam-monorepo-version'),
    pinDepends: pinDepends.map((p) => ({ pkg: p.package, url: p.url })),

    whyNotInstallable(vars: OpamVars): string | undefined {
      const env: VariableEnv = (name) => vars[name];
      // opam reads an undefined `available` as false; we only drop a platform when we are sure,
      // since our variables describe the image without asking it.
      if (available !== undefined && evalFilter(available, env) === false) {
        return `not available here (available: ${formatFilter(available)})`;
      }
      const ocaml = vars['ocaml:version'];
      if (typeof ocaml !== 'string') return undefined;
      for (const name of COMPILER_PACKAGES) {
        if (depends !== undefined && !isVersionAllowed(depends, env, name, ocaml)) {
          const wanted = constrained(filterPackageFormula(depends, env), name).map((a) => plainConstraint(a.constraint));
          return `${name} ${wanted.join(' and ')} required`;
        }
        if (conflicts !== undefined) {
          const clash = constrained(filterPackageFormula(conflicts, env), name).find((a) => versionMatches(a.constraint, ocaml));
          if (clash !== undefined) return `conflicts with ${name} ${plainConstraint(clash.constraint)}`;
        }
      }
      return undefined;
    },

    exactDependency(name: string): string | undefined {
      if (depends === undefined) return undefined;
      // Lock files put no filters on these; keep every atom and look for `= "v"`.
      const atoms = formulaAtoms(filterPackageFormula(depends, () => undefined, { fallback: true }));
      for (const a of atoms) {
        if (a.name !== name) continue;
        const eq = formulaAtoms(a.constraint).find((c) => c.op === '=');
        if (eq !== undefined) return eq.version;
      }
      return undefined;
    },
  };
}
