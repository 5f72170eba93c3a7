// Typed errors: callers (linters, the analysis step) need the position, not just a string.

/** The text is not valid opam syntax (lexing or parsing). */
export class OpamParseError extends Error {
  override readonly name = 'OpamParseError';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The message without the `file:line:column: ` prefix. */
  readonly reason: string;

  constructor(file: string, line: number, column: number, reason: string) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/**
 * The syntax is fine but a field's value does not have the shape its meaning requires
 * (e.g. `depends: [ 42 ]`, or a filter that is a list). opam reports these as "bad format".
 */
export class OpamFieldError extends Error {
  override readonly name = 'OpamFieldError';
  readonly file: string;
  /** The field (or `section.field`) being read, when known. */
  readonly field: string | undefined;
  readonly line: number;
  readonly column: number;
  readonly reason: string;

  constructor(opts: { file: string; field?: string; line: number; column: number; reason: string }) {
    const where = opts.field === undefined ? '' : ` in "${opts.field}:"`;
    super(`${opts.file}:${opts.line}:${opts.column}: ${opts.reason}${where}`);
    this.file = opts.file;
    this.field = opts.field;
    this.line = opts.line;
    this.column = opts.column;
    this.reason = opts.reason;
  }
}
