// A commit's file tree as the fake serves it: git-accurate blob and tree SHAs so ids line up
// between get-tree, get-content and anything a test computes with real git.
import { createHash } from 'node:crypto';

export type FileSpec = string | Uint8Array | { content: string | Uint8Array; executable?: boolean };
export type RepoFiles = Record<string, FileSpec>;

export interface BlobEntry {
  type: 'blob';
  path: string;
  mode: '100644' | '100755';
  sha: string;
  content: Buffer;
}
export interface TreeEntry {
  type: 'tree';
  path: string;
  mode: '040000';
  sha: string;
}
export type GitEntry = BlobEntry | TreeEntry;

/** The commit around a snapshot's tree, as git/get-commit shows it. */
export interface CommitInfo {
  message: string;
  /** Parent commit SHAs, first parent first. */
  parents: string[];
  /** Author and committer date (ISO 8601). */
  date: string;
}

export interface RepoSnapshot {
  commitSha: string;
  treeSha: string;
  commit: CommitInfo;
  /** Every blob and subtree, keyed by path; the root tree is not included. */
  entries: Map<string, GitEntry>;
  /** Paths of the direct children of each directory ('' is the root). */
  children: Map<string, string[]>;
}

function gitHash(kind: 'blob' | 'tree', body: Buffer): string {
  return createHash('sha1').update(`${kind} ${body.length}\0`).update(body).digest('hex');
}

function normalisePath(path: string): string {
  const segments = path.split('/');
  if (path === '' || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new Error(`invalid repository path ${JSON.stringify(path)}`);
  }
  return path;
}

function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function buildSnapshot(commitSha: string, files: RepoFiles, commit: Partial<CommitInfo> = {}): RepoSnapshot {
  if (!/^[0-9a-f]{40}$/.test(commitSha)) throw new Error(`commit sha must be 40 hex digits: ${commitSha}`);
  for (const parent of commit.parents ?? []) {
    if (!/^[0-9a-f]{40}$/.test(parent)) throw new Error(`parent sha must be 40 hex digits: ${parent}`);
  }
  const entries = new Map<string, GitEntry>();
  const children = new Map<string, string[]>([['', []]]);
  const addChild = (dir: string, path: string) => {
    const list = children.get(dir) ?? [];
    if (!list.includes(path)) list.push(path);
    children.set(dir, list);
  };
  for (const [rawPath, spec] of Object.entries(files)) {
    const path = normalisePath(rawPath);
    const obj = typeof spec === 'string' || spec instanceof Uint8Array ? { content: spec } : spec;
    const content = Buffer.from(obj.content);
    entries.set(path, {
      type: 'blob',
      path,
      mode: typeof spec === 'object' && 'executable' in spec && spec.executable ? '100755' : '100644',
      sha: gitHash('blob', content),
      content,
    });
    // Register every ancestor directory.
    let child = path;
    for (let dir = parentOf(path); ; dir = parentOf(dir)) {
      addChild(dir, child);
      if (dir === '') break;
      const existing = entries.get(dir);
      if (existing?.type === 'blob') throw new Error(`${dir} is both a file and a directory`);
      if (!existing) entries.set(dir, { type: 'tree', path: dir, mode: '040000', sha: '' });
      child = dir;
    }
  }
  // Git orders tree entries by name, comparing directories as if their name ended in '/'.
  const sortKey = (p: string) => (entries.get(p)?.type === 'tree' ? `${nameOf(p)}/` : nameOf(p));
  for (const list of children.values()) list.sort((a, b) => Buffer.compare(Buffer.from(sortKey(a)), Buffer.from(sortKey(b))));

  const treeSha = (dir: string): string => {
    const parts: Buffer[] = [];
    for (const p of children.get(dir) ?? []) {
      const e = entries.get(p);
      if (!e) continue;
      const sha = e.type === 'tree' ? treeSha(p) : e.sha;
      if (e.type === 'tree') e.sha = sha;
      parts.push(Buffer.from(`${e.type === 'tree' ? '40000' : e.mode} ${nameOf(p)}\0`), Buffer.from(sha, 'hex'));
    }
    return gitHash('tree', Buffer.concat(parts));
  };
  const rootSha = treeSha('');
  // Keep entries in git's depth-first order (the order `git ls-tree -r -t` and the API use).
  const ordered = new Map<string, GitEntry>();
  const visit = (dir: string) => {
    for (const p of children.get(dir) ?? []) {
      const e = entries.get(p);
      if (!e) continue;
      ordered.set(p, e);
      if (e.type === 'tree') visit(p);
    }
  };
  visit('');
  return {
    commitSha,
    treeSha: rootSha,
    commit: { message: commit.message ?? 'Update', parents: commit.parents ?? [], date: commit.date ?? '2021-01-01T00:00:00Z' },
    entries: ordered,
    children,
  };
}

/** The directory path whose tree has this SHA ('' for the root), if any. */
export function findTree(snapshot: RepoSnapshot, sha: string): string | undefined {
  if (snapshot.treeSha === sha) return '';
  for (const e of snapshot.entries.values()) if (e.type === 'tree' && e.sha === sha) return e.path;
  return undefined;
}
