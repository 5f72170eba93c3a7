// conf packages (https://opam.ocaml.org/doc/Manual.html#opamflag-conf): the `conf-` name prefix,
// the `conf` flag and a non-empty `depexts` go together: all three or none. So an ordinary
// package with `depexts` is an error too (opam-repository wants those in a conf- package).
import { error } from './release.ts';
import type { Finding, Release } from './release.ts';

export function confPackage(r: Release): Finding[] {
  const has = [
    r.summary.flags.includes('conf') ? "the 'conf' flag" : undefined,
    r.name.startsWith('conf-') ? "the 'conf-' name prefix" : undefined,
    r.summary.depexts.length > 0 ? "a non-empty 'depext' field" : undefined,
  ].filter((x): x is string => x !== undefined);
  if (has.length === 0 || has.length === 3) return [];
  return [
    error(
      `conf packages should always use the 'conf-' name prefix, the 'conf' flag, and the 'depext' field all together, but this package only has ${has.join(' and ')}`,
    ),
  ];
}
