// Variable references (`os`, `ocaml:version`, `_:doc`, `a+b:installed`, `%{pkg:installed?yes:no}%`)
// and the environment that gives them values.
import { z } from 'zod';

/**
 * What a variable is worth: a string, a bool, or `undefined` when it is not defined.
 * opam also has string lists; pass them joined by spaces, as opam prints them.
 */
export type VariableValue = string | boolean | undefined;

/**
 * Looks a variable up by its full name: `os` (global), `ocaml:version` (a package's),
 * `_:version` (the package being considered, "self").
 */
export type VariableEnv = (name: string) => VariableValue;

/** A variable reference as opam splits it (OpamTypes.filter_ident). */
export interface FilterIdent {
  /** Empty for a global variable; `null` stands for `_` (the current package). */
  packages: (string | null)[];
  variable: string;
  /** `var?then:else` — only possible inside `%{…}%`. */
  converter?: { ifTrue: string; ifFalse: string };
}

/** Env values as they arrive from JSON/YAML config: validated before use. */
export const VariableRecordSchema = z.record(z.string(), z.union([z.string(), z.boolean()]));
export type VariableRecord = z.infer<typeof VariableRecordSchema>;

/** An env backed by a plain object, e.g. `{ os: 'linux', 'with-test': true, 'ocaml:version': '5.2.0' }`. */
export function envFromRecord(record: Record<string, string | boolean>): VariableEnv {
  const vars = new Map(Object.entries(VariableRecordSchema.parse(record)));
  return (name) => vars.get(name);
}

/** Tries each env in turn; the first defined value wins. */
export function chainEnv(...envs: VariableEnv[]): VariableEnv {
  return (name) => {
    for (const env of envs) {
      const v = env(name);
      if (v !== undefined) return v;
    }
    return undefined;
  };
}

function cutLast(s: string, ch: string): [string, string] | undefined {
  const i = s.lastIndexOf(ch);
  return i < 0 ? undefined : [s.slice(0, i), s.slice(i + 1)];
}

function packageList(s: string): (string | null)[] {
  const out: (string | null)[] = [];
  for (const part of s.split('+')) {
    if (part === '_') out.push(null);
    else if (part !== '') out.push(part);
  }
  return out;
}

/** Splits an ident the way OpamTypesBase.filter_ident_of_string does. */
function parseIdent(s: string, interpolation: boolean): FilterIdent {
  const colon = cutLast(s, ':');
  if (!colon) return { packages: [], variable: s };
  const [p, last] = colon;
  const question = cutLast(p, '?');
  if (!question) return { packages: packageList(p), variable: last };
  const [beforeQ, ifTrue] = question;
  if (beforeQ === '' && interpolation) {
    // `%{?pkg:var}%`-style compatibility form kept by opam 2.2 (opam-file-format#59).
    const inner = cutLast(ifTrue, ':');
    return inner ? { packages: [inner[0]], variable: inner[1] } : { packages: [], variable: last };
  }
  const converter = { ifTrue, ifFalse: last };
  const pv = cutLast(beforeQ, ':');
  if (!pv) return { packages: [], variable: beforeQ, converter };
  return { packages: packageList(pv[0]), variable: pv[1], converter };
}

/** An ident token's text (`ocaml:version`, `a+b:installed`) as a reference. */
export function parseFilterIdent(text: string): FilterIdent {
  return parseIdent(text, false);
}

/** The text inside `%{…}%`, which may carry a `?then:else` converter. */
export function parseInterpolationIdent(text: string): FilterIdent {
  return parseIdent(text, true);
}

/** Full names of the variables a reference reads: `os`, `pkg:var`, `_:var`. */
export function identVariableNames(ident: FilterIdent): string[] {
  if (ident.packages.length === 0) return [ident.variable];
  return ident.packages.map((p) => `${p ?? '_'}:${ident.variable}`);
}

/** Prints a reference back in opam syntax. */
export function formatFilterIdent(ident: FilterIdent): string {
  const pkgs = ident.packages.map((p) => p ?? '_').join('+');
  const base = pkgs === '' ? ident.variable : `${pkgs}:${ident.variable}`;
  return ident.converter ? `${base}?${ident.converter.ifTrue}:${ident.converter.ifFalse}` : base;
}

function asBool(v: VariableValue): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

/**
 * Value of a reference (OpamFilter.resolve_ident_raw): `a+b:var` is the conjunction of the
 * packages' boolean values; `pkg:enable` means `pkg:installed?enable:disable`; a converter maps a
 * boolean to one of its two strings, and an undefined or non-boolean value to the "else" string
 * unless `keepUndefined` is set.
 */
export function resolveIdent(ident: FilterIdent, env: VariableEnv, keepUndefined = false): VariableValue {
  const { packages } = ident;
  let { variable, converter } = ident;
  if (packages.length > 0 && variable === 'enable' && !converter) {
    variable = 'installed';
    converter = { ifTrue: 'enable', ifFalse: 'disable' };
  }
  const lookup = (pkg: string | null): VariableValue => env(`${pkg ?? '_'}:${variable}`);
  let value: VariableValue;
  if (packages.length === 0) value = env(variable);
  else if (packages.length === 1) value = lookup(packages[0] ?? null);
  else {
    // Three-valued "and" over the packages, stopping at the first false, like opam's fold.
    let acc: boolean | undefined = true;
    for (const pkg of packages) {
      if (acc === false) break;
      const v = lookup(pkg);
      if (v === true) continue;
      acc = asBool(v);
    }
    value = acc;
  }
  if (!converter) return value;
  const b = asBool(value);
  if (b === true) return converter.ifTrue;
  if (b === false) return converter.ifFalse;
  return keepUndefined ? value : converter.ifFalse;
}
