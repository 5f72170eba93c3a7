// Recursive-descent parser reproducing opam-file-format's opamBaseParser.mly, including its
// operator precedences (lowest to highest): `|`, `&`, prefix `!`/`?`, options `{…}`, relops.
import type {
  AtomValue,
  FieldItem,
  Item,
  Location,
  OpamFile,
  OpamParseWarning,
  SectionItem,
  Value,
} from './ast.ts';
import { OpamParseError } from './errors.ts';
import { OpamLexer, describeToken } from './lexer.ts';
import type { Token } from './lexer.ts';

// Binding strengths, as the %left/%nonassoc lines of opamBaseParser.mly order them.
const PREC_OR = 1;
const PREC_AND = 2;
const PREC_PFXOP = 3;

export interface ParseOptions {
  /** Name used in errors and carried on the result; defaults to `<string>`. */
  file?: string;
}

function span(from: Location, to: Location): Location {
  return {
    line: from.line,
    column: from.column,
    offset: from.offset,
    endLine: to.endLine,
    endColumn: to.endColumn,
    endOffset: to.endOffset,
  };
}

function at(loc: Location): string {
  return `${loc.line}:${loc.column}`;
}

const CLOSER = { rbracket: '"]"', rpar: '")"', rbrace: '"}"' } as const;
type Closer = keyof typeof CLOSER;

class Parser {
  private readonly lexer: OpamLexer;
  private tok: Token;
  readonly warnings: OpamParseWarning[] = [];

  constructor(
    private readonly source: string,
    private readonly file: string,
  ) {
    this.lexer = new OpamLexer(source, file);
    this.tok = this.lexer.next();
  }

  private advance(): Token {
    const t = this.tok;
    this.tok = this.lexer.next();
    return t;
  }

  private fail(tok: Token, expected: string): never {
    throw new OpamParseError(this.file, tok.loc.line, tok.loc.column, `expected ${expected}, found ${this.found(tok)}`);
  }

  private found(tok: Token): string {
    return describeToken(tok, this.source);
  }

  parseFile(): Item[] {
    const items = this.parseItems(undefined);
    checkOpamVersion(items, this.file);
    return items;
  }

  /** Items up to `}` (inside a section) or end of file (top level). */
  private parseItems(section: { open: Token; kind: string } | undefined): Item[] {
    const items: Item[] = [];
    const seenFields = new Set<string>();
    const seenSections = new Set<string>();
    for (;;) {
      const tok = this.tok;
      if (tok.type === 'eof') {
        if (section) {
          this.fail(tok, `"}" to close section "${section.kind}" opened at ${at(section.open.loc)}`);
        }
        return items;
      }
      if (tok.type === 'rbrace' && section) return items;
      if (tok.type !== 'ident') {
        const last = items[items.length - 1];
        let hint = '';
        if (last?.kind === 'field' && (tok.type === 'relop' || tok.type === 'envop')) {
          hint = ` ("${this.opText(tok)}" takes a single string, ident, bool or int on each side)`;
        } else if (last?.kind === 'field' && startsValue(tok)) {
          hint = ` ("${last.name}:" takes a single value; write several inside [ ])`;
        }
        const expected = section ? `a field name, a section or "}"` : 'a field name or a section';
        throw new OpamParseError(
          this.file,
          tok.loc.line,
          tok.loc.column,
          `expected ${expected}, found ${this.found(tok)}${hint}`,
        );
      }
      const item = this.parseItem();
      if (item.kind === 'field') {
        if (seenFields.has(item.name)) {
          this.warn('duplicate-field', item.name, item.loc, `duplicate field "${item.name}:"; opam ignores all but the first`);
        }
        seenFields.add(item.name);
      } else {
        const key = item.label === undefined ? item.sectionKind : `${item.sectionKind} "${item.label}"`;
        if (seenSections.has(key)) {
          this.warn('duplicate-section', item.sectionKind, item.loc, `duplicate section ${key}; opam ignores all but the first`);
        }
        seenSections.add(key);
      }
      items.push(item);
    }
  }

  private warn(code: OpamParseWarning['code'], name: string, loc: Location, message: string): void {
    this.warnings.push({ code, name, message, line: loc.line, column: loc.column });
  }

  private parseItem(): Item {
    const nameTok = this.advance();
    const name = nameTok.type === 'ident' ? nameTok.value : '';
    const t = this.tok;
    if (t.type === 'colon') {
      this.advance();
      const value = this.parseValue(0, `a value after "${name}:"`);
      const field: FieldItem = { kind: 'field', name, nameLoc: nameTok.loc, value, loc: span(nameTok.loc, value.loc) };
      return field;
    }
    let label: string | undefined;
    if (t.type === 'string') {
      label = t.value;
      this.advance();
      if (this.tok.type !== 'lbrace') {
        this.fail(this.tok, `"{" after section label ${this.found(t).replace(/^string /, '')}`);
      }
    } else if (t.type !== 'lbrace') {
      this.fail(t, `":" or "{" after "${name}"`);
    }
    const open = this.advance();
    const items = this.parseItems({ open, kind: name });
    const close = this.advance();
    const section: SectionItem = {
      kind: 'section',
      sectionKind: name,
      label,
      items,
      loc: span(nameTok.loc, close.loc),
    };
    return section;
  }

  /**
   * One value whose operators bind tighter than `ctx` (0: anything; PREC_AND: right operand of
   * `&`, etc.). `expected` says what the caller wanted, for the error message.
   */
  private parseValue(ctx: number, expected: string): Value {
    let left = this.parsePrimary(expected);
    for (;;) {
      const t = this.tok;
      if (t.type === 'lbrace') {
        // Options bind tighter than every operator that can reach here, so always attach.
        this.advance();
        const options = this.parseValues('rbrace', t);
        const close = this.advance();
        const optionsLoc = span(t.loc, close.loc);
        left = { kind: 'option', value: left, options, optionsLoc, loc: span(left.loc, close.loc) };
      } else if (t.type === 'and' && ctx < PREC_AND) {
        this.advance();
        const right = this.parseValue(PREC_AND, 'a value after "&"');
        left = { kind: 'logop', op: '&', left, right, opLoc: t.loc, loc: span(left.loc, right.loc) };
      } else if (t.type === 'or' && ctx < PREC_OR) {
        this.advance();
        const right = this.parseValue(PREC_OR, 'a value after "|"');
        left = { kind: 'logop', op: '|', left, right, opLoc: t.loc, loc: span(left.loc, right.loc) };
      } else {
        return left;
      }
    }
  }

  private parsePrimary(expected: string): Value {
    const t = this.tok;
    switch (t.type) {
      case 'lbracket': {
        this.advance();
        const items = this.parseValues('rbracket', t);
        const close = this.advance();
        return { kind: 'list', items, loc: span(t.loc, close.loc) };
      }
      case 'lpar': {
        this.advance();
        const items = this.parseValues('rpar', t);
        const close = this.advance();
        return { kind: 'group', items, loc: span(t.loc, close.loc) };
      }
      case 'pfxop': {
        this.advance();
        const operand = this.parseValue(PREC_PFXOP, `a value after "${t.value}"`);
        return { kind: 'pfxop', op: t.value, operand, opLoc: t.loc, loc: span(t.loc, operand.loc) };
      }
      case 'relop': {
        this.advance();
        const operand = this.parseAtom(`a string, ident, bool or int after "${this.opText(t)}"`);
        return { kind: 'prefix-relop', op: t.value, operand, opLoc: t.loc, loc: span(t.loc, operand.loc) };
      }
      case 'string':
      case 'ident':
      case 'bool':
      case 'int': {
        const left = this.parseAtom(expected);
        const op = this.tok;
        if (op.type === 'relop') {
          this.advance();
          const right = this.parseAtom(`a string, ident, bool or int after "${this.opText(op)}"`);
          return { kind: 'relop', op: op.value, left, right, opLoc: op.loc, loc: span(left.loc, right.loc) };
        }
        if (op.type === 'envop') {
          this.advance();
          const value = this.parseAtom(`a string, ident, bool or int after "${op.value}"`);
          return { kind: 'env-binding', op: op.value, name: left, value, opLoc: op.loc, loc: span(left.loc, value.loc) };
        }
        return left;
      }
      default:
        return this.fail(t, expected);
    }
  }

  private opText(t: Token): string {
    return this.source.slice(t.loc.offset, t.loc.endOffset);
  }

  private parseAtom(expected: string): AtomValue {
    const t = this.tok;
    switch (t.type) {
      case 'string':
        this.advance();
        return { kind: 'string', value: t.value, triple: t.triple, loc: t.loc };
      case 'ident':
        this.advance();
        return { kind: 'ident', name: t.value, loc: t.loc };
      case 'bool':
        this.advance();
        return { kind: 'bool', value: t.value, loc: t.loc };
      case 'int':
        this.advance();
        return { kind: 'int', value: t.value, loc: t.loc };
      default:
        return this.fail(t, expected);
    }
  }

  /** Values up to (not including) the closer matching `open`. */
  private parseValues(closer: Closer, open: Token): Value[] {
    const values: Value[] = [];
    const what = closer === 'rbracket' ? 'list' : closer === 'rpar' ? 'group' : 'options';
    const toClose = `${CLOSER[closer]} to close the ${what} opened at ${at(open.loc)}`;
    for (;;) {
      const t = this.tok;
      if (t.type === closer) return values;
      if (t.type === 'eof' || t.type === 'rbracket' || t.type === 'rpar' || t.type === 'rbrace') {
        this.fail(t, toClose);
      }
      values.push(this.parseValue(0, `a value or ${toClose}`));
    }
  }

  parseStandaloneValue(): Value {
    const value = this.parseValue(0, 'a value');
    if (this.tok.type !== 'eof') this.fail(this.tok, 'end of input after the value');
    return value;
  }
}

function startsValue(t: Token): boolean {
  switch (t.type) {
    case 'string':
    case 'ident':
    case 'bool':
    case 'int':
    case 'lbracket':
    case 'lpar':
    case 'pfxop':
      return true;
    default:
      return false;
  }
}

/** (major, minor) of an `opam-version` value, like opamBaseParser's `nopatch`. */
function noPatch(v: string): [number, number] {
  const m = /^(\d+)(?:\.(\d+))?/.exec(v);
  if (!m) return [0, 0];
  return [Number(m[1]), Number(m[2] ?? 0)];
}

function versionAtLeast(v: [number, number], major: number, minor: number): boolean {
  return v[0] > major || (v[0] === major && v[1] >= minor);
}

/**
 * opam 2.1 made `opam-version` special: from "2.1" on it must come first and only once, so that
 * older opams can tell the format apart (checks of opamBaseParser.main).
 */
function checkOpamVersion(items: Item[], file: string): void {
  const first = items[0];
  const headerIs21 =
    first?.kind === 'field' &&
    first.name === 'opam-version' &&
    first.value.kind === 'string' &&
    versionAtLeast(noPatch(first.value.value), 2, 1);
  for (let i = 1; i < items.length; i++) {
    const it = items[i];
    if (it?.kind !== 'field' || it.name !== 'opam-version' || it.value.kind !== 'string') continue;
    if (headerIs21) {
      throw new OpamParseError(file, it.loc.line, it.loc.column, 'opam-version cannot be repeated');
    }
    if (versionAtLeast(noPatch(it.value.value), 2, 1)) {
      throw new OpamParseError(
        file,
        it.loc.line,
        it.loc.column,
        `opam-version "${it.value.value}" must be the first non-comment line`,
      );
    }
  }
}

/**
 * Parses the text of an opam file (or any file in opam syntax: `url`, `repo`, `opam-repo`
 * configs…). Throws {@link OpamParseError} on the first syntax error; duplicated fields and
 * sections are accepted with a warning, as opam does (it keeps the first).
 */
export function parseOpamFile(source: string, options: ParseOptions = {}): OpamFile {
  const file = options.file ?? '<string>';
  const parser = new Parser(source, file);
  const items = parser.parseFile();
  return { file, items, warnings: parser.warnings };
}

/**
 * Parses a single value, e.g. a formula typed on a command line: `"ocaml" {>= "4.14"}`.
 */
export function parseOpamValue(source: string, options: ParseOptions = {}): Value {
  const file = options.file ?? '<string>';
  const parser = new Parser(source, file);
  return parser.parseStandaloneValue();
}
