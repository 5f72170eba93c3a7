/**
 * The first error of a failed step's output, as one short line for the job's reason, the way
 * ocaml-ci and opam-repo-ci summarise a failure: the compiler's or dune's `Error:` (also inside
 * opam's report, where every line is prefixed with "# "), with the file:line that precedes it,
 * else opam's "[ERROR] The compilation of pkg.1.0 failed at …" as "pkg.1.0 failed to build".
 */
import { cleanLine, EXCERPT, LOCATION, repoPath } from './annotations.ts';

const MAX_CHARS = 200;
const ERROR = /^Error\b([^:]*):\s?(.*)$/;
const OPAM_FAILED = /^\[ERROR\] The (compilation|installation) of (\S+) failed\b/;
/** opam quotes a failed package's output with "# " before every line. */
const OPAM_QUOTE = /^# ?/;

const short = (s: string): string => (s.length > MAX_CHARS ? `${s.slice(0, MAX_CHARS - 1)}…` : s);

export function firstError(output: string, opts: { workdirs?: readonly string[] } = {}): string | undefined {
  const lines = output.split('\n').map((l) => cleanLine(l).replace(OPAM_QUOTE, ''));
  let location: string | undefined;
  let opam: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    const loc = LOCATION.exec(l);
    if (loc !== null) {
      const path = repoPath(loc[1] as string, opts.workdirs) ?? (loc[1] as string);
      location = `${path}:${loc[2] ?? loc[3]}`;
      continue;
    }
    const err = ERROR.exec(l);
    if (err !== null) {
      // The message goes on over indented lines ("… expected of type\n         int"), joined
      // into one; "Hint:" and the like, unindented, are left out.
      const text = [err[2] ?? ''];
      for (let j = i + 1; j < lines.length && /^\s+\S/.test(lines[j] as string) && text.join(' ').length < MAX_CHARS; j++) text.push(lines[j] as string);
      return short(`${location ? `${location}: ` : ''}Error${err[1] ?? ''}: ${text.join(' ')}`.replace(/\s+/g, ' ').trim());
    }
    // A location stays attached across its source excerpt only.
    if (!EXCERPT.test(l)) location = undefined;
    const o = OPAM_FAILED.exec(l);
    if (o !== null && opam === undefined) opam = `${o[2]} failed to ${o[1] === 'compilation' ? 'build' : 'install'}`;
  }
  return opam === undefined ? undefined : short(opam);
}
