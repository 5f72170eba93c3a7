import type { FieldItem, Value } from '../opam/ast.ts';
import { OpamFieldError, OpamParseError } from '../opam/errors.ts';
import { evalFilter, formatFilter, valuesToFilter, valueToFilter } from '../opam/filter.ts';
import type { Filter } from '../opam/filter.ts';
import { formulaAtoms } from '../opam/formula.ts';
import type { Formula } from '../opam/formula.ts';
import { filterPackageFormula, isVersionAllowed, valueToPackageFormula, versionMatches } from '../opam/package-formula.ts';
import type { PackageFormula, ResolvedAtom, VersionConstraint } from '../opam/package-formula.ts';
import { parseOpamFile } from '../opam/parser.ts';
import type { VariableEnv } from '../opam/variables.ts';
import { AnalysisError } from './errors.ts';
import type { OpamFacts, OpamVars } from './opam-facts.ts';

// OpamFacts from the app/opam parser: the opam file is parsed (and its fields read) once, then
// judged against each platform's variables.

/** The packages whose version is the platform's OCaml release. */
const COMPILER_PACKAGES = ['ocaml', 'ocaml-base-compiler'];

function toAnalysisError(err: unknown, file: string): unknown {
  if (err instanceof OpamParseError || err instanceof OpamFieldError) {
    return new AnalysisError(`Invalid opam file ${err.message}`, { file, line: err.line, column: err.column, cause: err });
  }
  return err;
}

function stringField(fields: Map<string, FieldItem>, name: string): string | undefined {
  const f = fields.get(name);
  return f?.value.kind === 'string' ? f.value.value : undefined;
}

function filterOf(v: Value, file: string): Filter {
  // opam 1.2 wrote `available: [ os != "win32" ]`; a list is the conjunction of its items.
  return v.kind === 'list' ? valuesToFilter(v.items, { file, field: 'available' }, v.loc) : valueToFilter(v, { file, field: 'available' });
}

function pinDependsOf(v: Value | undefined): Array<{ pkg: string; url: string }> {
  if (v?.kind !== 'list') return [];
  const pair = (x: Value): { pkg: string; url: string } | undefined =>
    x.kind === 'list' && x.items.length === 2 && x.items[0]?.kind === 'string' && x.items[1]?.kind === 'string'
      ? { pkg: x.items[0].value, url: x.items[1].value }
      : undefined;
  // Either one pair `["pkg.v" "url"]` or a list of pairs.
  const single = pair(v);
  if (single !== undefined) return [single];
  return v.items.map(pair).filter((p): p is { pkg: string; url: string } => p !== undefined);
}

/** `>= "5.0" & < "5.3"` → `>= 5.0 & < 5.3`, for people. */
function plainConstraint(c: Formula<VersionConstraint>): string {
  const atoms = formulaAtoms(c).map((a) => `${a.op} ${a.version}`);
  const joiner = c.kind === 'or' ? ' | ' : ' & ';
  return atoms.join(joiner);
}

function compilerAtoms(f: Formula<ResolvedAtom>, name: string): ResolvedAtom[] {
  return formulaAtoms(f).filter((a) => a.name === name && a.constraint.kind !== 'empty');
}

export function readOpamFacts(text: string, file: string): OpamFacts {
  try {
    return factsOf(text, file);
  } catch (err) {
    throw toAnalysisError(err, file);
  }
}

function factsOf(text: string, file: string): OpamFacts {
  const parsed = parseOpamFile(text, { file });
  const fields = new Map<string, FieldItem>();
  for (const item of parsed.items) {
    // opam keeps the first of duplicated fields.
    if (item.kind === 'field' && !fields.has(item.name)) fields.set(item.name, item);
  }
  const availableValue = fields.get('available')?.value;
  const available = availableValue === undefined ? undefined : filterOf(availableValue, file);
  const dependsValue = fields.get('depends')?.value;
  const depends: PackageFormula | undefined =
    dependsValue === undefined ? undefined : valueToPackageFormula(dependsValue, 'conj', { file, field: 'depends' });
  const conflictsValue = fields.get('conflicts')?.value;
  const conflicts: PackageFormula | undefined =
    conflictsValue === undefined ? undefined : valueToPackageFormula(conflictsValue, 'disj', { file, field: 'conflicts' });

  return {
    opamVersion: stringField(fields, 'opam-version'),
    monorepoVersion: stringField(fields, 'x-opam-monorepo-version'),
    pinDepends: pinDependsOf(fields.get('pin-depends')?.value),

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
          const wanted = compilerAtoms(filterPackageFormula(depends, env), name)
            .map((a) => plainConstraint(a.constraint))
            .join(' and ');
          return `${name} ${wanted} required`;
        }
        if (conflicts !== undefined) {
          const clash = compilerAtoms(filterPackageFormula(conflicts, env), name).find((a) => versionMatches(a.constraint, ocaml));
          if (clash !== undefined) return `conflicts with ${name} ${plainConstraint(clash.constraint)}`;
        }
      }
      return undefined;
    },

    exactDependency(name: string): string | undefined {
      if (depends === undefined) return undefined;
      // Lock files have no filters on these; resolve with no variables and look for `= "v"`.
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

