import { Minimatch, type MinimatchOptions } from 'minimatch';

/**
 * Exclusion rules of `copy` steps. A pattern without "/" is matched against the name of every file
 * and directory at any depth (OBuilder's `(exclude _build .git)`); a pattern with "/" is matched
 * against the path relative to the job's source root. Globs are minimatch's: `*` and `?` do not
 * cross "/", `**` does, `[abc]` and `{a,b}` work; dotfiles match like any file, and a leading `!`
 * or `#` is an ordinary character (one list of exclusions, no negation or comments).
 * `.git` is always excluded: history is not an input of a build and is often large.
 */
export const ALWAYS_EXCLUDED = ['.git'] as const;

export type Excluder = (relPath: string) => boolean;

const OPTIONS: MinimatchOptions = { dot: true, nonegate: true, nocomment: true, noext: true, optimizationLevel: 2 };

export function makeExcluder(patterns: readonly string[]): Excluder {
  const names: Minimatch[] = [];
  const paths: Minimatch[] = [];
  for (const raw of [...ALWAYS_EXCLUDED, ...patterns]) {
    const p = raw.replace(/^\.\//, '').replace(/\/+$/, '');
    if (p === '') continue;
    if (p.includes('/')) paths.push(new Minimatch(p.replace(/^\/+/, ''), OPTIONS));
    else names.push(new Minimatch(p, OPTIONS));
  }
  return (relPath) => {
    const name = relPath.slice(relPath.lastIndexOf('/') + 1);
    return names.some((m) => m.match(name)) || paths.some((m) => m.match(relPath));
  };
}
