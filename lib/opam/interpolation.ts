// `%{var}%` interpolation inside opam strings (OpamFilter.string_interp_regex): `%%` is a literal
// `%`; `%{` opens a reference closed by the first `}%` on the same line; an unclosed one is left
// as written.
import type { FilterIdent, VariableEnv } from './variables.ts';
import { identVariableNames, parseInterpolationIdent, resolveIdent } from './variables.ts';

export interface Interpolation {
  /** Text between `%{` and `}%`, e.g. `ocaml:version` or `pkg:installed?yes:no`. */
  text: string;
  ident: FilterIdent;
  /** Offsets in the (decoded) string of `%{` and just past `}%`. */
  start: number;
  end: number;
}

export interface InterpolationScan {
  interpolations: Interpolation[];
  /** Offsets of `%{` left open (no `}%` before the end of the line). */
  unclosed: number[];
}

/** Finds every `%{…}%` in a string value. */
export function scanInterpolations(s: string): InterpolationScan {
  const interpolations: Interpolation[] = [];
  const unclosed: number[] = [];
  let i = s.indexOf('%');
  while (i >= 0 && i < s.length - 1) {
    const next = s.charCodeAt(i + 1);
    if (next === 37 /* % */) {
      i = s.indexOf('%', i + 2);
      continue;
    }
    if (next !== 123 /* { */) {
      i = s.indexOf('%', i + 1);
      continue;
    }
    const close = s.indexOf('}%', i + 2);
    const nl = s.indexOf('\n', i + 2);
    if (close < 0 || (nl >= 0 && nl < close)) {
      unclosed.push(i);
      // opam's regex consumes the unclosed reference up to the end of the line.
      i = nl < 0 ? -1 : s.indexOf('%', nl);
      continue;
    }
    const text = s.slice(i + 2, close);
    interpolations.push({ text, ident: parseInterpolationIdent(text), start: i, end: close + 2 });
    i = s.indexOf('%', close + 2);
  }
  return { interpolations, unclosed };
}

/** Full names of the variables a string interpolates (`%{os}% %{ocaml:version}%` → `os`, `ocaml:version`). */
export function interpolatedVariables(s: string): string[] {
  if (!s.includes('%{')) return [];
  return scanInterpolations(s).interpolations.flatMap((x) => identVariableNames(x.ident));
}

export interface ExpandOptions {
  /**
   * Leave references to undefined variables (and `%%`) as written instead of replacing them.
   * Default false: undefined references become `""`, as opam does for commands.
   */
  partial?: boolean;
}

/** Replaces `%{…}%` references with their values (bools print as `true`/`false`). */
export function expandString(s: string, env: VariableEnv, options: ExpandOptions = {}): string {
  if (!s.includes('%')) return s;
  const partial = options.partial ?? false;
  const { interpolations } = scanInterpolations(s);
  let out = '';
  let last = 0;
  const unescape = (chunk: string): string => (partial ? chunk : chunk.replace(/%%/g, '%'));
  for (const x of interpolations) {
    out += unescape(s.slice(last, x.start));
    const v = resolveIdent(x.ident, env, partial);
    if (v === undefined) out += partial ? s.slice(x.start, x.end) : '';
    else out += typeof v === 'boolean' ? String(v) : v;
    last = x.end;
  }
  return out + unescape(s.slice(last));
}
