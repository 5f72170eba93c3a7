import type { CacheMount, Step } from '../contract/index.ts';

// Small constructors so the spec builders read like ocaml-ci's Obuilder_spec code, and every step
// comes out complete (defaults filled), i.e. already a valid contract `Step`.

export const run = (shell: string, opts: { network?: boolean; cache?: CacheMount[] } = {}): Step => ({
  op: 'run',
  shell,
  network: opts.network ?? false,
  cache: opts.cache ?? [],
});

export const copy = (src: string[], dst: string, exclude: string[] = []): Step => ({ op: 'copy', src, dst, exclude });
export const env = (name: string, value: string): Step => ({ op: 'env', name, value });
export const workdir = (path: string): Step => ({ op: 'workdir', path });
export const user = (uid: number, gid: number): Step => ({ op: 'user', uid, gid });

/** opam's download cache, shared by every job of a pool (as ocaml-ci's "opam-archives"). */
export const OPAM_ARCHIVES: CacheMount = { id: 'opam-archives', target: '/home/opam/.opam/download-cache' };

/** What never goes into the build's copy of the source. */
export const SOURCE_EXCLUDES = ['.git', '_build', '_opam'];

/** Quote for POSIX sh only when needed, so common paths stay readable in logs and Dockerfiles. */
export function shellQuote(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_./:=+@%,-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
