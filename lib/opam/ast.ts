// The syntax tree of an opam file, as opam-file-format's OpamParserTypes.FullPos models it, with a
// source location on every node so linters can point at the exact spot.

/**
 * Where a node sits in its source. Lines and columns are 1-based (editor and GitHub-annotation
 * convention; opam itself prints 0-based columns). Columns count UTF-16 code units, so they only
 * differ from opam's byte columns after non-ASCII text on the same line. `end*` is exclusive.
 */
export interface Location {
  line: number;
  column: number;
  offset: number;
  endLine: number;
  endColumn: number;
  endOffset: number;
}

/** `=`, `!=`, `<`, `<=`, `>`, `>=`. The legacy `~` operator is read as `>=`, as opam does. */
export type RelOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type LogOp = '&' | '|';
/** `!` is negation, `?` asks whether a variable is defined. */
export type PrefixOp = '!' | '?';
/** Environment update operators of `build-env:` / `setenv:`; plain `=` lexes as a {@link RelOp}. */
export type EnvOp = '+=' | '=+' | '=+=' | ':=' | '=:';

export interface StringValue {
  kind: 'string';
  /** Escapes decoded; `%{var}%` interpolations are kept verbatim (see interpolation.ts). */
  value: string;
  /** Written as `"""…"""`. */
  triple: boolean;
  loc: Location;
}

export interface IdentValue {
  kind: 'ident';
  /** As written: `os`, `with-test`, `ocaml:version`, `_:doc`, `pkg+other:installed`. */
  name: string;
  loc: Location;
}

export interface BoolValue {
  kind: 'bool';
  value: boolean;
  loc: Location;
}

export interface IntValue {
  kind: 'int';
  value: number;
  loc: Location;
}

/** `[ v1 v2 … ]` */
export interface ListValue {
  kind: 'list';
  items: Value[];
  loc: Location;
}

/** `( v1 v2 … )` */
export interface GroupValue {
  kind: 'group';
  items: Value[];
  loc: Location;
}

/** `value { o1 o2 … }` — options can follow any value. */
export interface OptionValue {
  kind: 'option';
  value: Value;
  options: Value[];
  /** Location of the braces and their content. */
  optionsLoc: Location;
  loc: Location;
}

/** `left op right`, both operands atoms (string, ident, bool or int). */
export interface RelOpValue {
  kind: 'relop';
  op: RelOp;
  left: Value;
  right: Value;
  opLoc: Location;
  loc: Location;
}

/** `op operand` as in `{>= "1.0"}`; the operand is an atom. */
export interface PrefixRelOpValue {
  kind: 'prefix-relop';
  op: RelOp;
  operand: Value;
  opLoc: Location;
  loc: Location;
}

export interface LogOpValue {
  kind: 'logop';
  op: LogOp;
  left: Value;
  right: Value;
  opLoc: Location;
  loc: Location;
}

export interface PrefixOpValue {
  kind: 'pfxop';
  op: PrefixOp;
  operand: Value;
  opLoc: Location;
  loc: Location;
}

/** `NAME += "value"` and friends (`NAME = "value"` is a {@link RelOpValue}). */
export interface EnvBindingValue {
  kind: 'env-binding';
  op: EnvOp;
  name: Value;
  value: Value;
  opLoc: Location;
  loc: Location;
}

export type AtomValue = StringValue | IdentValue | BoolValue | IntValue;

export type Value =
  | AtomValue
  | ListValue
  | GroupValue
  | OptionValue
  | RelOpValue
  | PrefixRelOpValue
  | LogOpValue
  | PrefixOpValue
  | EnvBindingValue;

/** `name: value` */
export interface FieldItem {
  kind: 'field';
  name: string;
  nameLoc: Location;
  value: Value;
  loc: Location;
}

/** `kind "label"? { items }`, e.g. `url { … }` or `extra-source "fix.patch" { … }`. */
export interface SectionItem {
  kind: 'section';
  sectionKind: string;
  label: string | undefined;
  items: Item[];
  loc: Location;
}

export type Item = FieldItem | SectionItem;

/** Something opam accepts but flags (it ignores all but the first of duplicated fields). */
export interface OpamParseWarning {
  code: 'duplicate-field' | 'duplicate-section';
  /** The field's name, or the section's kind. */
  name: string;
  message: string;
  line: number;
  column: number;
}

export interface OpamFile {
  /** The name used in messages; normally the path it was read from. */
  file: string;
  items: Item[];
  warnings: OpamParseWarning[];
}
