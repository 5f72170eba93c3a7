/**
 * Exclusion rules of `copy` steps. A pattern without "/" is matched against the name of every file
 * and directory at any depth (OBuilder's `(exclude _build .git)`); a pattern with "/" is matched
 * against the path relative to the job's source root. `*` and `?` do not cross "/", `**` does.
 * `.git` is always excluded: history is not an input of a build and is often large.
 */
export const ALWAYS_EXCLUDED = ['.git'] as const;

export type Excluder = (relPath: string) => boolean;

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // "**/" matches zero or more directories; a bare "**" anything at all.
        if (glob[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function makeExcluder(patterns: readonly string[]): Excluder {
  const names: RegExp[] = [];
  const paths: RegExp[] = [];
  for (const raw of [...ALWAYS_EXCLUDED, ...patterns]) {
    const p = raw.replace(/^\.\//, '').replace(/\/+$/, '');
    if (p === '') continue;
    if (p.includes('/')) paths.push(globToRegExp(p.replace(/^\/+/, '')));
    else names.push(globToRegExp(p));
  }
  return (relPath) => {
    const name = relPath.slice(relPath.lastIndexOf('/') + 1);
    return names.some((r) => r.test(name)) || paths.some((r) => r.test(relPath));
  };
}
