// Which packages a diff touches, as opam-repo-ci's analyse step reads `git diff --name-only`:
// packages/<name>/<name.version>/opam and …/files/* count; any other path under packages/ is an
// error; paths elsewhere (README, .github/…) are ignored. One refinement: another file inside a
// release's directory (…/<name.version>/notes.txt) marks the release as touched and is left to
// the lint ("Unexpected file in …"), which names it precisely while the rest is still built.

export interface TouchedPackage {
  /** "name.version" */
  pkg: string;
  name: string;
  version: string;
  /** The opam file itself changed (added, modified or removed). */
  opam: boolean;
  /** Paths under files/ that changed. */
  files: string[];
  /** Other paths in the release's directory that changed (lint errors). */
  others: string[];
}

export interface ChangedPaths {
  /** Touched packages in path order. */
  packages: TouchedPackage[];
  /** One message per unexpected path under packages/. */
  errors: string[];
}

export const unexpectedPath = (path: string): string =>
  `Unexpected path ${JSON.stringify(path)} in output (expecting 'packages/pkg/pkg.ver/...')`;

/** Splits a list of changed paths (relative to the repository root) into touched packages. */
export function changedPackages(paths: Iterable<string>): ChangedPaths {
  const byPkg = new Map<string, TouchedPackage>();
  const errors: string[] = [];
  for (const path of paths) {
    if (!path.startsWith('packages/')) continue;
    const parts = path.split('/');
    const [, name, dir, first, ...rest] = parts;
    const version = name !== undefined && dir?.startsWith(`${name}.`) ? dir.slice(name.length + 1) : '';
    const isOpam = first === 'opam' && rest.length === 0;
    const isFile = first === 'files' && rest.length > 0 && rest.every((s) => s !== '');
    if (!name || !dir || version === '' || name.includes('.') || first === undefined || first === '') {
      errors.push(unexpectedPath(path));
      continue;
    }
    const t = byPkg.get(dir) ?? { pkg: dir, name, version, opam: false, files: [], others: [] };
    if (isOpam) t.opam = true;
    else if (isFile) t.files.push(path);
    else t.others.push(path);
    byPkg.set(dir, t);
  }
  return { packages: [...byPkg.values()], errors };
}
