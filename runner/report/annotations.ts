/**
 * OCaml compiler (and dune) diagnostics found in a build log, as GitHub check-run annotations.
 *
 * A diagnostic is a location line, an optional source excerpt (or, for dune's formatting rules,
 * a diff), then a message whose first line starts with Error, Warning or Alert:
 *
 *   File "lib/x.ml", line 4, characters 6-12:
 *   4 |   let unused = 42 in
 *             ^^^^^^
 *   Error (warning 26 [unused-var]): unused variable unused.
 *
 * Log lines may carry the runner's timestamp prefix and ANSI colours; both are removed first.
 */

import type { CheckRunAnnotation } from '../../lib/contract/index.ts';
export type { CheckRunAnnotation };
export type AnnotationLevel = CheckRunAnnotation['annotation_level'];

export interface ParseOptions {
  /** Directories the build ran in, stripped from absolute paths; default ["/src"]. */
  workdirs?: readonly string[];
  /** At most this many annotations (GitHub shows 50 per request; the caller pages); default 1000. */
  limit?: number;
}

const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}\.\d{2}: /;

/** One log line as the compiler printed it: no colours, no timestamp, no progress overwrites. */
export function cleanLine(line: string): string {
  let s = line.replace(ANSI, '');
  // A carriage return redraws the line (dune's progress): what follows the last one is what shows.
  const cr = s.replace(/\r+$/, '').lastIndexOf('\r');
  if (cr !== -1) s = s.slice(cr + 1);
  s = s.replace(/\r+$/, '');
  return s.replace(TIMESTAMP, '');
}

export const LOCATION = /^File "([^"]+)", (?:line (\d+)|lines (\d+)-(\d+))(?:, characters (\d+)-(\d+))?:\s*$/;
const HEAD = /^(Error|Warning|Alert)\b([^:]*):\s?(.*)$/;
export const EXCERPT = /^\s*\d+ \| |^\s*\^+\s*$|^\s*\.\.\.\s*$/;
const DIFF = /^(diff |index |--- |\+\+\+ |@@|[+\- ]|\\ No newline)/;
/** Lines that end a message: dune's command lines, and the executor's own step lines. */
const TERMINATOR = [
  /^\s*\(cd /,
  /\(exit \d+\)\s*$/,
  /^\s*\[\d+\/\d+\]/,
  /^---> /,
  /^Job (succeeded|failed|cancelled|timed out)/,
  /^(run|copy) step /,
  /^\/\S*: \((run|copy|env|workdir|user|from)\b/,
];
const MAX_EXCERPT_LINES = 400;
const MAX_MESSAGE_LINES = 40;
const MAX_MESSAGE_CHARS = 4000;

function level(kind: string): AnnotationLevel {
  // Warnings and alerts made errors read "Error (warning 26 [unused-var])", "Error (alert …)".
  if (kind === 'Error') return 'failure';
  if (kind === 'Warning') return 'warning';
  // Alerts (deprecated, unstable…) inform rather than warn unless made errors.
  return 'notice';
}

/**
 * The path as the repository knows it, or undefined when the file is not in the repository
 * (the standard library, opam switch files, "_none_").
 */
export function repoPath(path: string, workdirs: readonly string[] = ['/src']): string | undefined {
  let p = path.replace(/\\/g, '/');
  if (p.startsWith('/')) {
    const dir = workdirs.map((d) => d.replace(/\/+$/, '') + '/').find((d) => p.startsWith(d));
    if (dir === undefined) return undefined;
    p = p.slice(dir.length);
  }
  p = p.replace(/^(\.\/)+/, '');
  while (p.startsWith('_build/')) p = p.replace(/^_build\/[^/]+\//, '');
  if (p === '' || p.startsWith('../') || p === '_none_' || p.includes('\0')) return undefined;
  return p;
}

/**
 * Removes the indentation the indented lines share (OCaml aligns them under the text after
 * "Error: "), keeping the message's own structure; unindented lines ("Hint: …") stay as they are.
 */
function dedentBlock(lines: readonly string[]): string[] {
  const indents = lines.map((l) => /^ */.exec(l)?.[0].length ?? 0).filter((n) => n > 0);
  const n = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((l) => (l.startsWith(' ') ? l.slice(n) : l));
}

const DIFF_START = /^(diff |--- |\+\+\+ |@@)/;

export function parseAnnotations(log: string, opts: ParseOptions = {}): CheckRunAnnotation[] {
  const workdirs = opts.workdirs ?? ['/src'];
  const limit = opts.limit ?? 1000;
  const lines = log.split('\n').map(cleanLine);
  const found = new Map<string, CheckRunAnnotation>();

  for (let i = 0; i < lines.length && found.size < limit; i++) {
    const loc = LOCATION.exec(lines[i] as string);
    if (loc === null) continue;
    // Excerpt (or diff) lines, then the message head; anything else means this was no diagnostic.
    let j = i + 1;
    const details: string[] = [];
    while (j < lines.length && j - i <= MAX_EXCERPT_LINES) {
      const l = lines[j] as string;
      if (HEAD.test(l) || LOCATION.test(l)) break;
      if (!EXCERPT.test(l) && !DIFF.test(l)) break;
      details.push(l);
      j++;
    }
    const head = HEAD.exec(lines[j] ?? '');
    if (head === null) continue;
    const [, kind = 'Error', qualifier = '', first = ''] = head;
    // The message goes on over lines that are neither blank, nor a new location, nor a known
    // line of dune or of the runner: indented type excerpts, but also "Hint: …" and the
    // unindented second line of an alert.
    const more: string[] = [];
    let k = j + 1;
    for (; k < lines.length && more.length < MAX_MESSAGE_LINES; k++) {
      const l = lines[k] as string;
      if (l.trim() === '' || LOCATION.test(l) || TERMINATOR.some((r) => r.test(l))) break;
      more.push(l.trimEnd());
    }
    i = k - 1;
    const title = `${kind}${qualifier}`.trim();
    const message = [first.trim(), ...dedentBlock(more)].join('\n').trim() || title;

    const path = repoPath(loc[1] as string, workdirs);
    if (path === undefined) continue;
    const startLine = Math.max(1, Number(loc[2] ?? loc[3]));
    const endLine = Math.max(startLine, Number(loc[2] ?? loc[4]));
    const annotation: CheckRunAnnotation = {
      path,
      start_line: startLine,
      end_line: endLine,
      annotation_level: level(kind),
      title,
      message: message.slice(0, MAX_MESSAGE_CHARS),
    };
    // OCaml counts characters from 0, end excluded; GitHub columns from 1, end included. Columns
    // only make sense (and GitHub only accepts them) within one line.
    if (loc[5] !== undefined && startLine === endLine) {
      const from = Number(loc[5]);
      const to = Number(loc[6]);
      annotation.start_column = from + 1;
      annotation.end_column = Math.max(from + 1, to);
    }
    // The source excerpt repeats what GitHub shows next to the annotation; a diff (dune's
    // formatting check) does not, so it is kept.
    if (details.some((l) => DIFF_START.test(l))) annotation.raw_details = details.join('\n').slice(0, MAX_MESSAGE_CHARS);
    const key = JSON.stringify([path, startLine, endLine, annotation.start_column, annotation.end_column, annotation.title, annotation.message]);
    if (!found.has(key)) found.set(key, annotation);
  }
  return [...found.values()];
}

/** The runner's entry point: every diagnostic of a job's log, with the default workdir. */
export const annotationsFromLog = (log: string, opts?: ParseOptions): CheckRunAnnotation[] => parseAnnotations(log, opts);
