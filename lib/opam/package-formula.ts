// Package formulas (`depends`, `depopts`, `conflicts`): `"pkg" {>= "1.0" & < "2.0" & with-test}`
// joined by `&`/`|` and groups. Reading them follows OpamFormat.V.package_formula with
// filtered_constraints; applying variables follows OpamFilter.filter_formula.
import type { Location, RelOp, Value } from './ast.ts';
import { OpamFieldError } from './errors.ts';
import type { ConvertContext, Filter } from './filter.ts';
import { describeValueKind, evalFilterBool, evalFilter, filterVariables, formatFilter, valueToFilter } from './filter.ts';
import type { Formula, PartialResult } from './formula.ts';
import {
  EMPTY,
  and,
  ands,
  atom,
  block,
  evalFormula,
  formatFormula,
  formulaAtoms,
  mapFormula,
  negateFormula,
  or,
  ors,
  partialEval,
} from './formula.ts';
import { expandString, interpolatedVariables } from './interpolation.ts';
import type { FilterIdent, VariableEnv } from './variables.ts';
import { formatFilterIdent, identVariableNames, parseFilterIdent } from './variables.ts';
import { checkRelOp, compareVersions, negateRelOp } from './version-compare.ts';

/** The version side of a constraint: a literal (maybe with `%{…}%`) or a variable (`= version`). */
export type VersionOperand =
  | { kind: 'string'; value: string; loc?: Location }
  | { kind: 'ident'; ident: FilterIdent; loc?: Location };

/** One atom inside a dependency's `{ … }`: a version constraint or a filter. */
export type ConstraintAtom =
  | { kind: 'constraint'; op: RelOp; version: VersionOperand; loc?: Location }
  | { kind: 'filter'; filter: Filter; loc?: Location };

export interface PackageAtom {
  name: string;
  /** `empty` when the package has no `{ … }`. */
  constraint: Formula<ConstraintAtom>;
  loc: Location;
}

export type PackageFormula = Formula<PackageAtom>;

/** A constraint with its version known. */
export interface VersionConstraint {
  op: RelOp;
  version: string;
}

/** A dependency once filters are applied: the package and what versions it may have. */
export interface ResolvedAtom {
  name: string;
  /** `empty` means any version. */
  constraint: Formula<VersionConstraint>;
  loc?: Location;
}

/** How the items of the field's list combine: `depends` is a conjunction, the others disjunctions. */
export type FormulaKind = 'conj' | 'disj';

function fieldError(ctx: ConvertContext, loc: Location, reason: string): OpamFieldError {
  return new OpamFieldError({ file: ctx.file ?? '<string>', field: ctx.field, line: loc.line, column: loc.column, reason });
}

function parseVersionOperand(v: Value, ctx: ConvertContext): VersionOperand {
  if (v.kind === 'string') return { kind: 'string', value: v.value, loc: v.loc };
  if (v.kind === 'ident') return { kind: 'ident', ident: parseFilterIdent(v.name), loc: v.loc };
  throw fieldError(ctx, v.loc, `expected a version (a string or a variable), found ${describeValueKind(v)}`);
}

function negateConstraintAtom(a: ConstraintAtom): ConstraintAtom {
  if (a.kind === 'constraint') return { ...a, op: negateRelOp(a.op) };
  return { kind: 'filter', filter: { kind: 'not', operand: a.filter, loc: a.filter.loc }, loc: a.loc };
}

/** The contents of a dependency's `{ … }`, items joined by `&` (OpamFormat.V.filtered_constraints). */
export function valuesToConstraint(values: Value[], ctx: ConvertContext = {}): Formula<ConstraintAtom> {
  const one = (v: Value): Formula<ConstraintAtom> => {
    switch (v.kind) {
      case 'prefix-relop':
        return atom({ kind: 'constraint', op: v.op, version: parseVersionOperand(v.operand, ctx), loc: v.loc });
      case 'logop':
        return v.op === '&' ? and(one(v.left), one(v.right)) : or(one(v.left), one(v.right));
      case 'group':
        return block(valuesToConstraint(v.items, ctx));
      case 'pfxop':
        if (v.op === '!') return negateFormula(valuesToConstraint([v.operand], ctx), negateConstraintAtom);
        break;
    }
    return atom({ kind: 'filter', filter: valueToFilter(v, ctx), loc: v.loc });
  };
  return ands(values.map(one));
}

function parsePackageAtom(v: Value, ctx: ConvertContext): PackageAtom {
  if (v.kind === 'string') return { name: v.value, constraint: EMPTY, loc: v.loc };
  if (v.kind === 'option' && v.value.kind === 'string') {
    return { name: v.value.value, constraint: valuesToConstraint(v.options, ctx), loc: v.loc };
  }
  const inner = v.kind === 'option' ? v.value : v;
  throw fieldError(ctx, inner.loc, `expected a package name (a string), found ${describeValueKind(inner)}`);
}

/**
 * Reads a package formula from a field value: a list (or a single item) of `"pkg" {…}`, groups
 * and `&`/`|` combinations; the list's items are joined according to `kind`.
 */
export function valueToPackageFormula(value: Value, kind: FormulaKind, ctx: ConvertContext = {}): PackageFormula {
  const items = value.kind === 'list' ? value.items : [value];
  return valuesToPackageFormula(items, kind, ctx);
}

function valuesToPackageFormula(values: Value[], kind: FormulaKind, ctx: ConvertContext): PackageFormula {
  const one = (v: Value): PackageFormula => {
    switch (v.kind) {
      case 'string':
      case 'option':
        return atom(parsePackageAtom(v, ctx));
      case 'group':
        return { kind: 'block', formula: valuesToPackageFormula(v.items, kind, ctx) };
      case 'logop': {
        const l = one(v.left);
        const r = one(v.right);
        return { kind: v.op === '&' ? 'and' : 'or', left: l, right: r };
      }
      default:
        throw fieldError(ctx, v.loc, `expected a package formula item ("name" {constraints}), found ${describeValueKind(v)}`);
    }
  };
  const parts = values.map(one);
  return kind === 'conj' ? ands(parts) : ors(parts);
}

export interface FilterOptions {
  /** Value of a filter that is undefined or not a bool; opam uses false. */
  fallback?: boolean;
}

/** Evaluates a constraint's filters and versions (OpamFilter.filter_constraints). */
export function resolveConstraint(
  c: Formula<ConstraintAtom>,
  env: VariableEnv,
  options: FilterOptions = {},
): PartialResult<VersionConstraint> {
  const fallback = options.fallback ?? false;
  return partialEval<ConstraintAtom, VersionConstraint>(c, (a) => {
    if (a.kind === 'filter') return evalFilterBool(a.filter, env, fallback);
    const v = a.version;
    // Undefined references inside the string read as "", as in opam's eval_to_string.
    if (v.kind === 'string') return atom({ op: a.op, version: expandString(v.value, env) });
    const value = evalFilter({ kind: 'ident', ident: v.ident }, env);
    // opam drops a constraint whose version variable is undefined ("ignoring version constraint").
    if (value === undefined) return EMPTY;
    return atom({ op: a.op, version: String(value) });
  });
}

/**
 * Applies variables to a formula (OpamFilter.filter_formula): a dependency whose filter is false
 * disappears (so `"a" {with-test} | "b"` becomes `"b"` without tests), one whose filter is true
 * keeps only its version constraints.
 */
export function filterPackageFormula(
  f: PackageFormula,
  env: VariableEnv,
  options: FilterOptions = {},
): Formula<ResolvedAtom> {
  return mapFormula<PackageAtom, ResolvedAtom>(f, (a) => {
    const r = resolveConstraint(a.constraint, env, options);
    if (r === false) return EMPTY;
    return atom({ name: a.name, constraint: r === true ? EMPTY : r, loc: a.loc });
  });
}

/** The dependencies a formula names once variables are applied, in writing order. */
export function packageAtoms(f: PackageFormula, env: VariableEnv, options: FilterOptions = {}): ResolvedAtom[] {
  return formulaAtoms(filterPackageFormula(f, env, options));
}

/** Whether `version` satisfies a resolved constraint (empty: any version does). */
export function versionMatches(constraint: Formula<VersionConstraint>, version: string): boolean {
  return evalFormula(constraint, (c) => checkRelOp(c.op, compareVersions(version, c.version)));
}

/**
 * Whether a set of installed packages satisfies the formula under `env`: each remaining atom needs
 * its package installed (`installed` returns its version, or undefined) at a matching version.
 */
export function isFormulaSatisfied(
  f: PackageFormula,
  env: VariableEnv,
  installed: (name: string) => string | undefined,
  options: FilterOptions = {},
): boolean {
  return evalFormula(filterPackageFormula(f, env, options), (a) => {
    const v = installed(a.name);
    return v !== undefined && versionMatches(a.constraint, v);
  });
}

/**
 * Whether the formula lets package `name` be at `version` under `env`, every other package being
 * free to take whatever version suits (their atoms count as satisfiable). A formula that does not
 * mention `name` allows any version. E.g. `["ocaml" {>= "4.08"}]` allows ocaml 5.2 but not 4.07.
 */
export function isVersionAllowed(
  f: PackageFormula,
  env: VariableEnv,
  name: string,
  version: string,
  options: FilterOptions = {},
): boolean {
  return evalFormula(filterPackageFormula(f, env, options), (a) =>
    a.name === name ? versionMatches(a.constraint, version) : true,
  );
}

/** Full names of the variables the formula's filters and versions read. */
export function formulaVariables(f: PackageFormula): string[] {
  const out: string[] = [];
  for (const a of formulaAtoms(f)) {
    for (const c of formulaAtoms(a.constraint)) {
      if (c.kind === 'filter') out.push(...filterVariables(c.filter));
      else if (c.version.kind === 'ident') out.push(...identVariableNames(c.version.ident));
      else out.push(...interpolatedVariables(c.version.value));
    }
  }
  return out;
}

export function formatVersionConstraint(c: Formula<VersionConstraint>): string {
  return formatFormula(c, (a) => `${a.op} ${JSON.stringify(a.version)}`);
}

export function formatConstraintFormula(c: Formula<ConstraintAtom>): string {
  return formatFormula(c, (a) => {
    if (a.kind === 'filter') {
      const s = formatFilter(a.filter);
      return a.filter.kind === 'or' ? `(${s})` : s;
    }
    const v = a.version.kind === 'string' ? JSON.stringify(a.version.value) : formatFilterIdent(a.version.ident);
    return `${a.op} ${v}`;
  });
}

/** Prints a package formula in opam syntax (without the surrounding list). */
export function formatPackageFormula(f: PackageFormula): string {
  return formatFormula(f, (a) =>
    a.constraint.kind === 'empty'
      ? JSON.stringify(a.name)
      : `${JSON.stringify(a.name)} {${formatConstraintFormula(a.constraint)}}`,
  );
}

/** Prints a filtered formula, e.g. `"ocaml" {>= "4.08"} & "dune"`. */
export function formatResolvedFormula(f: Formula<ResolvedAtom>): string {
  return formatFormula(f, (a) =>
    a.constraint.kind === 'empty'
      ? JSON.stringify(a.name)
      : `${JSON.stringify(a.name)} {${formatVersionConstraint(a.constraint)}}`,
  );
}
