import type { Annotation } from '../github/check-run-reporter.ts';

// ANSI colour codes (dune and the compiler colour their output) and the runner's timestamp prefix.
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const STAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d\.\d\d: /;
const LOCATION = /^File "([^"]+)", lines? (\d+)(?:-(\d+))?(?:, characters (\d+)-(\d+))?:\s*$/;
const HEADLINE = /^(Error|Warning|Alert)(?: (\d+))?(?: ([a-z][A-Za-z0-9_-]*))?(?: \[([A-Za-z0-9_-]+)\])?:\s*(.*)$/;

/** Where the sources sit inside build containers; stripped so paths are the repository's. */
const PREFIXES = [/^\/src\//, /^_build\/default\//, /^\.\//];

function repoPath(p: string): string {
  let out = p;
  for (const re of PREFIXES) out = out.replace(re, '');
  return out;
}

/**
 * GitHub check-run annotations for the OCaml compiler's diagnostics in a log:
 * `File "src/x.ml", line 3, characters 4-9:` followed (after the source excerpt) by `Error: …`,
 * `Warning 32 [unused-value-declaration]: …` or `Alert …`. De-duplicated; columns only when the
 * diagnostic is on one line (OCaml counts characters from 0, GitHub columns from 1).
 */
export function annotationsFromLog(log: string): Annotation[] {
  const lines = log.split('\n').map((l) => l.replace(ANSI, '').replace(STAMP, '').replace(/\r$/, ''));
  const out: Annotation[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const loc = LOCATION.exec(lines[i] ?? '');
    if (!loc) continue;
    // The headline follows within a few lines (the source excerpt and its ^^^ marker come first).
    let j = i + 1;
    let head: RegExpExecArray | null = null;
    for (; j < Math.min(lines.length, i + 12); j++) {
      if (LOCATION.test(lines[j] ?? '')) break;
      head = HEADLINE.exec(lines[j] ?? '');
      if (head) break;
    }
    if (!head) continue;
    const message = [head[5] ?? ''];
    for (let k = j + 1; k < lines.length; k++) {
      const l = lines[k] ?? '';
      if (!/^\s+\S/.test(l) || LOCATION.test(l)) break;
      message.push(l.trim());
      if (message.length > 20) break;
    }
    const start = Number(loc[2]);
    const end = loc[3] ? Number(loc[3]) : start;
    const kind = head[1] as 'Error' | 'Warning' | 'Alert';
    const a: Annotation = {
      path: repoPath(loc[1] ?? ''),
      start_line: start,
      end_line: end,
      annotation_level: kind === 'Error' ? 'failure' : kind === 'Warning' ? 'warning' : 'notice',
      title: [kind, head[2], head[3], head[4] ? `[${head[4]}]` : undefined].filter(Boolean).join(' '),
      message: message.join('\n').trim() || kind,
    };
    if (start === end && loc[4] !== undefined && loc[5] !== undefined) {
      a.start_column = Number(loc[4]) + 1;
      a.end_column = Math.max(Number(loc[5]), Number(loc[4]) + 1);
    }
    const key = `${a.path}:${a.start_line}:${a.start_column ?? ''}:${a.title}:${a.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(a);
    i = j;
  }
  return out;
}
