// Name prefixes that belong to the compiler's plumbing, each tied to a conflict class
// (https://github.com/ocurrent/opam-repo-ci/pull/316): a package with the prefix must have the
// class and a package with the class must have the prefix (errors, every release); a new package
// with such a prefix is warned about.
//
// opam-ci-check spells the first prefix "mysys2-", which matches no package and so flags every
// msys2-* package (class msys2-env) as lacking it; cid uses the prefix the packages have.
import { readLoose } from '../opam-file.ts';
import { error, warning } from './release.ts';
import type { Finding, Release } from './release.ts';

/** Prefix → conflict class, in opam-ci-check's order. */
export const RESTRICTED_PREFIXES: ReadonlyArray<readonly [prefix: string, conflictClass: string]> = [
  ['msys2-', 'msys2-env'],
  ['arch-', 'ocaml-arch'],
  ['ocaml-env-mingw', 'ocaml-env-mingw'],
  ['ocaml-env-msvc', 'ocaml-env-msvc'],
  ['host-arch-', 'ocaml-host-arch'],
  ['host-system-', 'ocaml-host-system'],
  ['system-', 'ocaml-system'],
];

export function prefixConflictClass(r: Release): Finding[] {
  const classes = readLoose(r.file, 'conflict-class') ?? [];
  const out: Finding[] = [];
  const prefix = RESTRICTED_PREFIXES.find(([p]) => r.name.startsWith(p));
  if (prefix !== undefined && !classes.includes(prefix[1])) {
    out.push(error(`package with prefix '${prefix[0]}' requires conflict class '${prefix[1]}'`));
  }
  for (const c of classes) {
    const wanted = RESTRICTED_PREFIXES.find(([, cc]) => cc === c);
    if (wanted !== undefined && !r.name.startsWith(wanted[0])) out.push(error(`package with conflict class '${c}' requires name prefix '${wanted[0]}'`));
  }
  return out;
}

/** New packages only. */
export function restrictedPrefix(r: Release): Finding[] {
  return RESTRICTED_PREFIXES.filter(([p]) => r.name.startsWith(p)).map(([p]) => warning(`package name has restricted prefix '${p}'`));
}
