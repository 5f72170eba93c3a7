// Reading fields of a parsed opam file: a generic lookup, plus typed readers for the fields the
// rest of cid uses, accepting the same shapes opam's OpamFile.OPAM does (e.g. a single string where
// a list is expected, a single command where a list of commands is).
import type { FieldItem, Location, OpamFile, SectionItem, Value } from './ast.ts';
import { OpamFieldError } from './errors.ts';
import type { ConvertContext, Filter } from './filter.ts';
import { describeValueKind, valuesToFilter } from './filter.ts';
import type { PackageFormula } from './package-formula.ts';
import { valueToPackageFormula } from './package-formula.ts';

/** The first `name:` field at the top level (opam ignores later duplicates). */
export function fieldItem(file: OpamFile, name: string): FieldItem | undefined {
  for (const it of file.items) if (it.kind === 'field' && it.name === name) return it;
  return undefined;
}

/** The value of the top-level field `name`, if present. */
export function field(file: OpamFile, name: string): Value | undefined {
  return fieldItem(file, name)?.value;
}

/** Names of the top-level fields, in file order, without repeats. */
export function fieldNames(file: OpamFile): string[] {
  return [...new Set(file.items.flatMap((it) => (it.kind === 'field' ? [it.name] : [])))];
}

/** Top-level sections of a kind (`url`, `extra-source`…), in file order. */
export function sections(file: OpamFile, kind: string): SectionItem[] {
  return file.items.filter((it): it is SectionItem => it.kind === 'section' && it.sectionKind === kind);
}

/** The first section of a kind, optionally with a given label. */
export function section(file: OpamFile, kind: string, label?: string): SectionItem | undefined {
  return sections(file, kind).find((s) => label === undefined || s.label === label);
}

/** A field inside a section. */
export function sectionField(sec: SectionItem, name: string): Value | undefined {
  for (const it of sec.items) if (it.kind === 'field' && it.name === name) return it.value;
  return undefined;
}

// ---- shapes -------------------------------------------------------------------------------

function fail(ctx: ConvertContext, v: { loc: Location }, reason: string): never {
  throw new OpamFieldError({
    file: ctx.file ?? '<string>',
    field: ctx.field,
    line: v.loc.line,
    column: v.loc.column,
    reason,
  });
}

function depth(v: Value): number {
  if (v.kind === 'list') return 1 + (v.items[0] ? depth(v.items[0]) : 0);
  if (v.kind === 'option') return depth(v.value);
  return 0;
}

/**
 * Items of a list expected `n` levels deep, wrapping shallower values as opam's list_depth does
 * (`"a"` read as a string list is `["a"]`), so the same field can be written both ways.
 */
function listItems(v: Value, n: number): Value[] {
  let d = depth(v);
  let cur: Value = v;
  while (d < n) {
    cur = { kind: 'list', items: [cur], loc: cur.loc };
    d++;
  }
  return cur.kind === 'list' ? cur.items : [cur];
}

export function readString(v: Value, ctx: ConvertContext = {}): string {
  if (v.kind !== 'string') fail(ctx, v, `expected a string, found ${describeValueKind(v)}`);
  return v.value;
}

export function readIdent(v: Value, ctx: ConvertContext = {}): string {
  if (v.kind !== 'ident') fail(ctx, v, `expected an ident, found ${describeValueKind(v)}`);
  return v.name;
}

/** `"a"` or `["a" "b"]`. */
export function readStringList(v: Value, ctx: ConvertContext = {}): string[] {
  return listItems(v, 1).map((x) => readString(x, ctx));
}

/** `light-uninstall` or `[compiler avoid-version]`. */
export function readIdentList(v: Value, ctx: ConvertContext = {}): string[] {
  return listItems(v, 1).map((x) => readIdent(x, ctx));
}

/** Splits `value {options}` into its parts (no options: an empty list). */
function splitOption(v: Value): [Value, Value[]] {
  return v.kind === 'option' ? [v.value, v.options] : [v, []];
}

function optionalFilter(options: Value[], ctx: ConvertContext): Filter | undefined {
  return options.length === 0 ? undefined : valuesToFilter(options, ctx);
}

/** One word of a command: a string (with `%{…}%`) or a variable, maybe with its own filter. */
export interface CommandArg {
  kind: 'string' | 'ident';
  value: string;
  filter?: Filter;
  loc: Location;
}

/** A command of `build:`, `install:`, `run-test:`…, run when its filter (if any) holds. */
export interface Command {
  args: CommandArg[];
  filter?: Filter;
  loc: Location;
}

function readArg(v: Value, ctx: ConvertContext): CommandArg {
  const [a, options] = splitOption(v);
  if (a.kind !== 'string' && a.kind !== 'ident') {
    fail(ctx, a, `expected a command argument (a string or a variable), found ${describeValueKind(a)}`);
  }
  const filter = optionalFilter(options, ctx);
  const value = a.kind === 'string' ? a.value : a.name;
  return filter ? { kind: a.kind, value, filter, loc: v.loc } : { kind: a.kind, value, loc: v.loc };
}

/** `[["make"] ["make" "test"] {with-test}]`, or a single `["make"]`. An empty list is no commands. */
export function readCommands(v: Value, ctx: ConvertContext = {}): Command[] {
  if (v.kind === 'list' && v.items.length === 0) return [];
  return listItems(v, 2).map((c) => {
    const [argsValue, options] = splitOption(c);
    if (argsValue.kind !== 'list') {
      fail(ctx, argsValue, `expected a command (a list of arguments), found ${describeValueKind(argsValue)}`);
    }
    const args = argsValue.items.map((a) => readArg(a, ctx));
    const filter = optionalFilter(options, ctx);
    return filter ? { args, filter, loc: c.loc } : { args, loc: c.loc };
  });
}

/** `available: [ os != "win32" ]` or without the brackets. Absent means `true`. */
export function readFilterField(v: Value, ctx: ConvertContext = {}): Filter {
  return valuesToFilter(listItems(v, 1), ctx, v.loc);
}

/** One `build-env:`/`setenv:` update, `NAME op "value"`. */
export interface EnvUpdate {
  name: string;
  op: '=' | '+=' | '=+' | '=+=' | ':=' | '=:';
  value: string;
  loc: Location;
}

/** `[[PATH += "%{bin}%"] [FOO = "x"]]`, or a single `[FOO = "x"]`. */
export function readEnvUpdates(v: Value, ctx: ConvertContext = {}): EnvUpdate[] {
  return listItems(v, 2).map((item) => {
    const inner = item.kind === 'list' ? item.items : [item];
    const b = inner[0];
    if (inner.length !== 1 || b === undefined) fail(ctx, item, 'expected one environment update per [ ]');
    if (b.kind === 'relop' && b.op === '=' && b.left.kind === 'ident' && b.right.kind === 'string') {
      return { name: b.left.name, op: '=', value: b.right.value, loc: b.loc };
    }
    if (b.kind === 'env-binding' && b.name.kind === 'ident' && b.value.kind === 'string') {
      return { name: b.name.name, op: b.op, value: b.value.value, loc: b.loc };
    }
    return fail(ctx, b, `expected an environment update (NAME += "value"), found ${describeValueKind(b)}`);
  });
}

/** A `pin-depends:` entry. */
export interface PinDepend {
  /** As written: `name.version`. */
  package: string;
  name: string;
  version: string;
  url: string;
  loc: Location;
}

function readPair(v: Value, ctx: ConvertContext, what: string): [string, string] {
  if (v.kind !== 'list' || v.items.length !== 2) fail(ctx, v, `expected ${what}`);
  const [a, b] = v.items as [Value, Value];
  return [readString(a, ctx), readString(b, ctx)];
}

/** `[["pkg.1.0" "git+https://…#ref"]]`, or a single pair. */
export function readPinDepends(v: Value, ctx: ConvertContext = {}): PinDepend[] {
  return listItems(v, 2).map((item) => {
    const [pkg, url] = readPair(item, ctx, 'a pair ["name.version" "url"]');
    const dot = pkg.indexOf('.');
    if (dot <= 0 || dot === pkg.length - 1) fail(ctx, item, `expected "name.version", found "${pkg}"`);
    return { package: pkg, name: pkg.slice(0, dot), version: pkg.slice(dot + 1), url, loc: item.loc };
  });
}

export interface ExtraFile {
  path: string;
  checksum: string;
  loc: Location;
}

/** `[["fix.patch" "md5=…"]]`, or a single pair. */
export function readExtraFiles(v: Value, ctx: ConvertContext = {}): ExtraFile[] {
  return listItems(v, 2).map((item) => {
    const [path, checksum] = readPair(item, ctx, 'a pair ["file" "checksum"]');
    return { path, checksum, loc: item.loc };
  });
}

/** System packages to install when `filter` holds. */
export interface Depext {
  packages: string[];
  /** Absent: always. */
  filter?: Filter;
  loc: Location;
}

/**
 * `[["libgmp-dev"] {os-family = "debian"}]` (opam 2), or the opam 1.2 form
 * `[[["debian"] ["libgmp-dev"]]]` whose tags become string filters joined by `&`, as opam reads it.
 */
export function readDepexts(v: Value, ctx: ConvertContext = {}): Depext[] {
  try {
    return listItems(v, 2).map((item) => {
      const [pkgs, options] = splitOption(item);
      const packages = readStringList(pkgs, ctx);
      const filter = optionalFilter(options, ctx);
      return filter ? { packages, filter, loc: item.loc } : { packages, loc: item.loc };
    });
  } catch (e) {
    if (!(e instanceof OpamFieldError)) throw e;
    try {
      return listItems(v, 3).map((item) => {
        if (item.kind !== 'list' || item.items.length !== 2) fail(ctx, item, 'expected a pair [[tags] [packages]]');
        const [tagsValue, pkgsValue] = item.items as [Value, Value];
        const tags = readStringList(tagsValue, ctx);
        const packages = readStringList(pkgsValue, ctx);
        const filter = tags.reduceRight<Filter | undefined>((acc, tag) => {
          const f: Filter = { kind: 'string', value: tag };
          return acc ? { kind: 'and', left: f, right: acc } : f;
        }, undefined);
        return filter ? { packages, filter, loc: item.loc } : { packages, loc: item.loc };
      });
    } catch {
      throw e;
    }
  }
}

/** The `url { … }` section. */
export interface UrlSection {
  src: string | undefined;
  checksums: string[];
  mirrors: string[];
  loc: Location;
}

export function readUrl(file: OpamFile): UrlSection | undefined {
  const sec = section(file, 'url');
  if (!sec) return undefined;
  const ctx = (f: string): ConvertContext => ({ file: file.file, field: `url.${f}` });
  const src = sectionField(sec, 'src') ?? sectionField(sec, 'archive') ?? sectionField(sec, 'http');
  const checksum = sectionField(sec, 'checksum');
  const mirrors = sectionField(sec, 'mirrors');
  return {
    src: src === undefined ? undefined : readString(src, ctx('src')),
    checksums: checksum === undefined ? [] : readStringList(checksum, ctx('checksum')),
    mirrors: mirrors === undefined ? [] : readStringList(mirrors, ctx('mirrors')),
    loc: sec.loc,
  };
}

const trimmed = (v: Value, ctx: ConvertContext): string => readString(v, ctx).trim();
const formula =
  (kind: 'conj' | 'disj') =>
  (v: Value, ctx: ConvertContext): PackageFormula =>
    valueToPackageFormula(v, kind, ctx);

/** Typed readers for the fields cid uses, keyed by field name. */
export const FIELD_READERS = {
  'opam-version': readString,
  name: readString,
  version: readString,
  synopsis: trimmed,
  description: trimmed,
  maintainer: readStringList,
  authors: readStringList,
  license: readStringList,
  homepage: readStringList,
  doc: readStringList,
  'bug-reports': readStringList,
  tags: readStringList,
  'dev-repo': readString,
  depends: formula('conj'),
  depopts: formula('disj'),
  conflicts: formula('disj'),
  'conflict-class': readStringList,
  available: readFilterField,
  flags: readIdentList,
  build: readCommands,
  install: readCommands,
  'run-test': readCommands,
  remove: readCommands,
  'build-env': readEnvUpdates,
  setenv: readEnvUpdates,
  'pin-depends': readPinDepends,
  'extra-files': readExtraFiles,
  depexts: readDepexts,
  'x-ci-accept-failures': readStringList,
} satisfies Record<string, (v: Value, ctx: ConvertContext) => unknown>;

export type KnownField = keyof typeof FIELD_READERS;
export type FieldType<K extends KnownField> = ReturnType<(typeof FIELD_READERS)[K]>;

/**
 * A known field, typed: `readField(file, 'depends')` is a PackageFormula. Undefined when absent;
 * throws {@link OpamFieldError} when present with the wrong shape.
 */
export function readField<K extends KnownField>(file: OpamFile, name: K): FieldType<K> | undefined {
  const v = field(file, name);
  if (v === undefined) return undefined;
  const reader = FIELD_READERS[name] as (v: Value, ctx: ConvertContext) => FieldType<K>;
  return reader(v, { file: file.file, field: name });
}
