// Tokeniser for the opam file format. Token rules follow opam-file-format's opamLexer.mll
// (longest match, ties to the earlier rule), written by hand over char codes for speed.
import type { EnvOp, Location, PrefixOp, RelOp } from './ast.ts';
import { OpamParseError } from './errors.ts';

export type TokenType =
  | 'string'
  | 'ident'
  | 'bool'
  | 'int'
  | 'lbrace'
  | 'rbrace'
  | 'lbracket'
  | 'rbracket'
  | 'lpar'
  | 'rpar'
  | 'colon'
  | 'relop'
  | 'envop'
  | 'pfxop'
  | 'and'
  | 'or'
  | 'eof';

interface TokenBase {
  loc: Location;
}
export interface StringToken extends TokenBase {
  type: 'string';
  value: string;
  triple: boolean;
}
export interface IdentToken extends TokenBase {
  type: 'ident';
  value: string;
}
export interface BoolToken extends TokenBase {
  type: 'bool';
  value: boolean;
}
export interface IntToken extends TokenBase {
  type: 'int';
  value: number;
}
export interface RelOpToken extends TokenBase {
  type: 'relop';
  value: RelOp;
}
export interface EnvOpToken extends TokenBase {
  type: 'envop';
  value: EnvOp;
}
export interface PrefixOpToken extends TokenBase {
  type: 'pfxop';
  value: PrefixOp;
}
export interface PunctToken extends TokenBase {
  type: 'lbrace' | 'rbrace' | 'lbracket' | 'rbracket' | 'lpar' | 'rpar' | 'colon' | 'and' | 'or' | 'eof';
}
export type Token =
  | StringToken
  | IdentToken
  | BoolToken
  | IntToken
  | RelOpToken
  | EnvOpToken
  | PrefixOpToken
  | PunctToken;

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const BANG = 33;
const DQUOTE = 34;
const HASH = 35;
const AMP = 38;
const LPAR = 40;
const RPAR = 41;
const STAR = 42;
const PLUS = 43;
const MINUS = 45;
const COLON = 58;
const LT = 60;
const EQ = 61;
const GT = 62;
const QUESTION = 63;
const LBRACKET = 91;
const BACKSLASH = 92;
const RBRACKET = 93;
const UNDERSCORE = 95;
const LBRACE = 123;
const PIPE = 124;
const RBRACE = 125;
const TILDE = 126;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlpha(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
/** `ichar` of opamLexer.mll: letters, digits, `_` and `-`. */
function isIdentChar(c: number): boolean {
  return isAlpha(c) || isDigit(c) || c === UNDERSCORE || c === MINUS;
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Describes a token for "found …" in error messages. */
export function describeToken(tok: Token, source: string): string {
  if (tok.type === 'eof') return 'end of file';
  let text = source.slice(tok.loc.offset, tok.loc.endOffset);
  if (tok.type === 'string') {
    const nl = text.indexOf('\n');
    if (nl >= 0) text = text.slice(0, nl) + '…';
    if (text.length > 40) text = text.slice(0, 39) + '…';
    return `string ${text}`;
  }
  return `"${text}"`;
}

export class OpamLexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  // Where the token being scanned began, captured before it is consumed.
  private startPos = 0;
  private startLine = 1;
  private startCol = 1;

  constructor(
    readonly source: string,
    readonly file: string,
  ) {}

  private error(line: number, column: number, reason: string): never {
    throw new OpamParseError(this.file, line, column, reason);
  }

  private loc(): Location {
    return {
      line: this.startLine,
      column: this.startCol,
      offset: this.startPos,
      endLine: this.line,
      endColumn: this.pos - this.lineStart + 1,
      endOffset: this.pos,
    };
  }

  private newline(at: number): void {
    this.line++;
    this.lineStart = at + 1;
  }

  next(): Token {
    const s = this.source;
    const len = s.length;
    for (;;) {
      const p = this.pos;
      if (p >= len) {
        this.mark();
        return { type: 'eof', loc: this.loc() };
      }
      const c = s.charCodeAt(p);
      if (c === SPACE || c === TAB) {
        this.pos = p + 1;
        continue;
      }
      if (c === LF) {
        this.pos = p + 1;
        this.newline(p);
        continue;
      }
      if (c === CR && s.charCodeAt(p + 1) === LF) {
        this.pos = p + 2;
        this.newline(p + 1);
        continue;
      }
      if (c === HASH) {
        const nl = s.indexOf('\n', p);
        this.pos = nl < 0 ? len : nl;
        continue;
      }
      if (c === LPAR && s.charCodeAt(p + 1) === STAR) {
        this.skipComment();
        continue;
      }
      this.mark();
      return this.token(c);
    }
  }

  private mark(): void {
    this.startPos = this.pos;
    this.startLine = this.line;
    this.startCol = this.pos - this.lineStart + 1;
  }

  private token(c: number): Token {
    const s = this.source;
    const p = this.pos;
    switch (c) {
      case COLON:
        if (s.charCodeAt(p + 1) === EQ) return this.op('envop', ':=', 2);
        return this.punct('colon');
      case LBRACE:
        return this.punct('lbrace');
      case RBRACE:
        return this.punct('rbrace');
      case LBRACKET:
        return this.punct('lbracket');
      case RBRACKET:
        return this.punct('rbracket');
      case LPAR:
        return this.punct('lpar');
      case RPAR:
        return this.punct('rpar');
      case AMP:
        return this.punct('and');
      case PIPE:
        return this.punct('or');
      case DQUOTE:
        return this.string();
      case EQ: {
        const d = s.charCodeAt(p + 1);
        if (d === PLUS) return s.charCodeAt(p + 2) === EQ ? this.op('envop', '=+=', 3) : this.op('envop', '=+', 2);
        if (d === COLON) return this.op('envop', '=:', 2);
        return this.op('relop', '=', 1);
      }
      case BANG:
        if (s.charCodeAt(p + 1) === EQ) return this.op('relop', '!=', 2);
        return this.op('pfxop', '!', 1);
      case QUESTION:
        return this.op('pfxop', '?', 1);
      case LT:
        return s.charCodeAt(p + 1) === EQ ? this.op('relop', '<=', 2) : this.op('relop', '<', 1);
      case GT:
        return s.charCodeAt(p + 1) === EQ ? this.op('relop', '>=', 2) : this.op('relop', '>', 1);
      case TILDE:
        // Legacy spelling of `>=` (opamLexer maps "~" to `Geq`).
        return this.op('relop', '>=', 1);
      case PLUS:
        if (s.charCodeAt(p + 1) === EQ) return this.op('envop', '+=', 2);
        break;
      default:
        if (isIdentChar(c)) {
          const t = this.word();
          if (t) return t;
        }
    }
    const ch = String.fromCodePoint(s.codePointAt(p) ?? c);
    const shown = c < 32 || c === 127 ? JSON.stringify(ch) : `"${ch}"`;
    return this.error(this.line, this.startCol, `expected a token, found invalid character ${shown}`);
  }

  private punct(type: PunctToken['type']): Token {
    this.pos++;
    return { type, loc: this.loc() } as PunctToken;
  }

  private op<T extends 'relop' | 'envop' | 'pfxop'>(
    type: T,
    value: T extends 'relop' ? RelOp : T extends 'envop' ? EnvOp : PrefixOp,
    width: number,
  ): Token {
    this.pos += width;
    return { type, value, loc: this.loc() } as Token;
  }

  /** End of a segment (`id` or `_`) of an ident starting at `p`, or -1. */
  private segmentEnd(p: number): number {
    const s = this.source;
    let e = p;
    let alpha = false;
    for (;;) {
      const c = s.charCodeAt(e);
      if (!isIdentChar(c)) break;
      if (!alpha && isAlpha(c)) alpha = true;
      e++;
    }
    if (alpha) return e;
    return s.charCodeAt(p) === UNDERSCORE ? p + 1 : -1;
  }

  /** Ints, bools and idents, whichever rule matches the longest text. */
  private word(): Token | undefined {
    const s = this.source;
    const p = this.pos;
    // int: '-'? ['0'-'9' '_']+
    let q = s.charCodeAt(p) === MINUS ? p + 1 : p;
    const digitsStart = q;
    for (let c = s.charCodeAt(q); isDigit(c) || c === UNDERSCORE; c = s.charCodeAt(q)) q++;
    const intEnd = q > digitsStart ? q : -1;
    // ident: (id | '_') ('+' (id | '_'))* (':' id)?
    let identEnd = this.segmentEnd(p);
    if (identEnd > 0) {
      while (s.charCodeAt(identEnd) === PLUS) {
        const e = this.segmentEnd(identEnd + 1);
        if (e < 0) break;
        identEnd = e;
      }
      if (s.charCodeAt(identEnd) === COLON) {
        const e = this.segmentEnd(identEnd + 1);
        // Only an `id` (with a letter) may follow the colon, not a bare `_`.
        if (e > identEnd + 2 || (e === identEnd + 2 && isAlpha(s.charCodeAt(identEnd + 1)))) identEnd = e;
      }
    }
    if (intEnd > 0 && intEnd >= identEnd) {
      const text = s.slice(p, intEnd);
      this.pos = intEnd;
      if (!/^-?[0-9][0-9_]*$/.test(text)) {
        return this.error(this.startLine, this.startCol, `expected an integer, found "${text}"`);
      }
      return { type: 'int', value: Number(text.replace(/_/g, '')), loc: this.loc() };
    }
    if (identEnd < 0) return undefined;
    const text = s.slice(p, identEnd);
    this.pos = identEnd;
    if (text === 'true' || text === 'false') return { type: 'bool', value: text === 'true', loc: this.loc() };
    return { type: 'ident', value: text, loc: this.loc() };
  }

  private string(): Token {
    const s = this.source;
    const len = s.length;
    const triple = s.charCodeAt(this.pos + 1) === DQUOTE && s.charCodeAt(this.pos + 2) === DQUOTE;
    let i = this.pos + (triple ? 3 : 1);
    let out = '';
    let chunk = i;
    for (;;) {
      if (i >= len) {
        const q = triple ? '"""' : '"';
        return this.error(
          this.startLine,
          this.startCol,
          `expected a closing ${q} for the string opened here, found end of file`,
        );
      }
      const c = s.charCodeAt(i);
      if (c === DQUOTE) {
        if (!triple) break;
        if (s.charCodeAt(i + 1) === DQUOTE && s.charCodeAt(i + 2) === DQUOTE) break;
        i++;
      } else if (c === LF) {
        this.newline(i);
        i++;
      } else if (c === CR && s.charCodeAt(i + 1) === LF) {
        // eol is '\r'? '\n' and is stored as '\n'.
        out += s.slice(chunk, i) + '\n';
        this.newline(i + 1);
        i += 2;
        chunk = i;
      } else if (c === BACKSLASH) {
        out += s.slice(chunk, i);
        i = this.escape(i, (decoded) => (out += decoded));
        chunk = i;
      } else {
        i++;
      }
    }
    const value = out + s.slice(chunk, i);
    this.pos = i + (triple ? 3 : 1);
    return { type: 'string', value, triple, loc: this.loc() };
  }

  /** Decodes the escape at `i` (a backslash); returns the index after it. */
  private escape(i: number, emit: (s: string) => void): number {
    const s = this.source;
    const c = s.charCodeAt(i + 1);
    switch (c) {
      case BACKSLASH:
        emit('\\');
        return i + 2;
      case DQUOTE:
        emit('"');
        return i + 2;
      case 39: // '
        emit("'");
        return i + 2;
      case SPACE:
        emit(' ');
        return i + 2;
      case 110: // n
        emit('\n');
        return i + 2;
      case 114: // r
        emit('\r');
        return i + 2;
      case 116: // t
        emit('\t');
        return i + 2;
      case 98: // b
        emit('\b');
        return i + 2;
    }
    // Backslash-newline continues the string and drops the next line's indentation.
    let j = i + 1;
    if (s.charCodeAt(j) === CR && s.charCodeAt(j + 1) === LF) j++;
    if (s.charCodeAt(j) === LF) {
      this.newline(j);
      j++;
      while (s.charCodeAt(j) === SPACE || s.charCodeAt(j) === TAB) j++;
      return j;
    }
    if (isDigit(c) && isDigit(s.charCodeAt(i + 2)) && isDigit(s.charCodeAt(i + 3))) {
      const code = Number(s.slice(i + 1, i + 4));
      if (code <= 255) {
        emit(String.fromCharCode(code));
        return i + 4;
      }
    } else if (c === 120 /* x */ && isHexDigit(s.charCodeAt(i + 2)) && isHexDigit(s.charCodeAt(i + 3))) {
      emit(String.fromCharCode(parseInt(s.slice(i + 2, i + 4), 16)));
      return i + 4;
    }
    const shown = s.slice(i, i + 2);
    return this.error(
      this.line,
      i - this.lineStart + 1,
      `expected an escape sequence (one of \\\\ \\" \\' \\n \\r \\t \\b, a backslash before a space or line end, \\DDD or \\xHH), found "${shown}"`,
    );
  }

  private skipComment(): void {
    const s = this.source;
    const len = s.length;
    const openLine = this.line;
    const openCol = this.pos - this.lineStart + 1;
    let depth = 1;
    let i = this.pos + 2;
    while (depth > 0) {
      if (i >= len) {
        return this.error(openLine, openCol, 'expected "*)" to close the comment opened here, found end of file');
      }
      const c = s.charCodeAt(i);
      if (c === STAR && s.charCodeAt(i + 1) === RPAR) {
        depth--;
        i += 2;
      } else if (c === LPAR && s.charCodeAt(i + 1) === STAR) {
        depth++;
        i += 2;
      } else {
        if (c === LF) this.newline(i);
        i++;
      }
    }
    this.pos = i;
  }
}
