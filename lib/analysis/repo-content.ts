import { AnalysisError } from './errors.ts';
import type { OpamFacts, ReadOpam } from './opam-facts.ts';
import { ocamlformatConfig } from './ocamlformat.ts';
import type { OcamlformatConfig } from './ocamlformat.ts';

/** Reads one file of the commit, by its path relative to the repository root. */
export type FileReader = (path: string) => Promise<string>;

/** ocaml-ci's limit on one opam file (Repo_content.read_file ~max_len:102400). */
export const MAX_OPAM_FILE_BYTES = 102_400;

export interface OpamFileEntry {
  /** Path in the repository, e.g. "vendor/foo/foo.opam". */
  path: string;
  /** Its directory, "." for the top level. */
  dir: string;
  /** Package name, e.g. "foo". */
  name: string;
  /** What gets pinned: "foo.dev", or "foo.1.2" from a versioned file name foo.1.2.opam. */
  pkg: string;
  facts: OpamFacts;
  /** The file's text: what the solver pins the package to. */
  text: string;
}

export interface LockFile {
  path: string;
  facts: OpamFacts;
}

export interface RepoContent {
  /** Every opam file considered, sorted. */
  opamFiles: string[];
  /** Top-level opam files: the packages this repository is about. */
  roots: OpamFileEntry[];
  /** Opam files in sub-directories, pinned so roots can depend on them. */
  pinned: OpamFileEntry[];
  /** `pin-depends:` of the roots, "name.version" (opam pins them itself when pinning the roots). */
  pinDepends: string[];
  ocamlformat: OcamlformatConfig;
  /** opam-monorepo lock files, when the repository is in that mode (see monorepo.ts). */
  lockFiles: LockFile[];
  /** Things worth a line in the analysis log (ignored files). */
  notes: string[];
}

const segmentsOf = (path: string): string[] => path.split('/').filter((s) => s !== '' && s !== '.');

/**
 * The opam files ocaml-ci looks at (Repo_content.of_dir): `*.opam` in directories at most 3 deep,
 * not hidden, and, below the top level, with no path segment (file name included) starting with
 * "test". Returns the kept paths, sorted, and a note for each test path skipped.
 */
export function selectOpamFiles(paths: readonly string[]): { kept: string[]; notes: string[] } {
  const kept: string[] = [];
  const notes: string[] = [];
  for (const raw of paths) {
    const segs = segmentsOf(raw);
    const base = segs[segs.length - 1];
    if (base === undefined || !base.endsWith('.opam') || base === '.opam') continue;
    const dirs = segs.slice(0, -1);
    // Bos's fold skips dotfiles; directories deeper than 3 are not traversed.
    if (segs.some((s) => s.startsWith('.')) || dirs.length > 3) continue;
    if (dirs.some((d) => d === '_build' || d === '_opam')) continue;
    if (segs.length > 1 && segs.some((s) => s.startsWith('test'))) {
      notes.push(`Ignoring test directory ${segs.join('/')}`);
      continue;
    }
    kept.push(segs.join('/'));
  }
  kept.sort();
  return { kept: [...new Set(kept)], notes };
}

/** "foo.opam" → "foo.dev"; "foo.1.2.opam" → "foo.1.2" (as ocaml-ci names them). */
export function packageOfFile(path: string): { name: string; pkg: string } {
  const base = path.slice(path.lastIndexOf('/') + 1).replace(/\.opam$/, '');
  const dot = base.indexOf('.');
  return dot < 0 ? { name: base, pkg: `${base}.dev` } : { name: base.slice(0, dot), pkg: base };
}

const dirOf = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.');

async function readLimited(readFile: FileReader, path: string): Promise<string> {
  const text = await readFile(path);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_OPAM_FILE_BYTES) {
    throw new AnalysisError(`File "${path}" too big (${bytes} bytes; opam files may be at most ${MAX_OPAM_FILE_BYTES})`, {
      file: path,
    });
  }
  return text;
}

function compareVersionPrefix(v: string): number {
  // opam-version values are "1.2", "2.0", "2.1"…: the major number decides.
  const major = Number.parseInt(v, 10);
  return Number.isNaN(major) ? -1 : major;
}

function checkOpamVersion(entry: { path: string; pkg: string; facts: OpamFacts }): void {
  const v = entry.facts.opamVersion;
  if (v !== undefined && compareVersionPrefix(v) < 2) {
    throw new AnalysisError(`Package "${entry.pkg}" (${entry.path}) uses unsupported opam version ${v} (need >= 2)`, {
      file: entry.path,
    });
  }
}

export interface ReadRepoContentInput {
  /** Every path in the commit, relative to its root, "/"-separated. */
  files: readonly string[];
  readFile: FileReader;
  readOpam: ReadOpam;
}

/**
 * What ocaml-ci's extract step finds in a commit: roots, pins, .ocamlformat, lock files.
 * Errors are AnalysisErrors worded as ocaml-ci's.
 */
export async function readRepoContent({ files, readFile, readOpam }: ReadRepoContentInput): Promise<RepoContent> {
  const { kept, notes } = selectOpamFiles(files);
  const fileSet = new Set(files.map((f) => segmentsOf(f).join('/')));
  const hasOcamlformat = fileSet.has('.ocamlformat');
  const lockPaths = [...fileSet].filter((f) => !f.includes('/') && f.endsWith('.opam.locked')).sort();

  const [texts, dotfile, lockTexts] = await Promise.all([
    Promise.all(kept.map((p) => readLimited(readFile, p))),
    hasOcamlformat ? readFile('.ocamlformat') : Promise.resolve(undefined),
    fileSet.has('dune-project') ? Promise.all(lockPaths.map((p) => readLimited(readFile, p))) : Promise.resolve([]),
  ]);

  const roots: OpamFileEntry[] = [];
  const pinned: OpamFileEntry[] = [];
  const opamFiles: string[] = [];
  kept.forEach((path, i) => {
    const text = texts[i] ?? '';
    if (text.length === 0) {
      notes.push(`WARNING: ignoring empty opam file ${path}`);
      return;
    }
    const { name, pkg } = packageOfFile(path);
    const entry: OpamFileEntry = { path, dir: dirOf(path), name, pkg, facts: readOpam(text, path), text };
    checkOpamVersion(entry);
    opamFiles.push(path);
    (entry.dir === '.' ? roots : pinned).push(entry);
  });
  if (opamFiles.length === 0) throw new AnalysisError('No opam files found!');
  if (roots.length === 0) throw new AnalysisError('No top-level opam files found!');

  // opam-monorepo mode needs every lock file to be one (ocaml-ci's Opam_monorepo.detect).
  const locks = lockPaths.map((path, i) => ({ path, facts: readOpam(lockTexts[i] ?? '', path) }));
  const lockFiles = locks.length > 0 && locks.every((l) => l.facts.monorepoVersion !== undefined) ? locks : [];

  const pinDepends = [...new Set(roots.flatMap((r) => r.facts.pinDepends.map((d) => d.pkg)))].sort();
  return {
    opamFiles,
    roots,
    pinned,
    pinDepends,
    ocamlformat: ocamlformatConfig(dotfile, opamFiles, [...fileSet]),
    lockFiles,
    notes,
  };
}
