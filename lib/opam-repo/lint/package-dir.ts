// The release directory holds its opam file and nothing else (opam-repository moved patches to
// extra-source, so `files/` is unexpected too), and the opam file has mode 644. opam-ci-check
// lists the directory's entries, so a `files/` directory is one message however many files it
// holds. It also accepts 664, which a git tree cannot record (only 644 and 755).
import { error } from './release.ts';
import type { Finding, Release } from './release.ts';

export function packageDir(r: Release, dirFiles: ReadonlyMap<string, string>): Finding[] {
  const entries = new Map<string, string>();
  for (const [path, mode] of dirFiles) {
    const slash = path.indexOf('/');
    const entry = slash < 0 ? path : path.slice(0, slash);
    if (!entries.has(entry)) entries.set(entry, slash < 0 ? mode : '040000');
  }
  const out: Finding[] = [];
  for (const [entry, mode] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (entry !== 'opam') out.push(error(`Unexpected file in ${r.dir}/${entry}`));
    else if (mode !== '100644') out.push(error(`Forbidden permission for file ${r.dir}/opam. All files should have permissions 644.`));
  }
  return out;
}
