// Fields opam accepts but opam-repository does not: `pin-depends` (a release must install from the
// repository alone) and `extra-files` (files travel as `extra-source` now).
import { error } from './release.ts';
import type { Finding, Release } from './release.ts';

export function noPinDepends(r: Release): Finding[] {
  return r.summary.pinDepends.length > 0 ? [error('pin-depends present. This is not allowed in the opam-repository.')] : [];
}

export function noExtraFiles(r: Release): Finding[] {
  return r.summary.extraFiles.length > 0 ? [error('extra-files present. This is not allowed in the opam-repository. Please use extra-source instead.')] : [];
}
