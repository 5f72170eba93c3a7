// The opam-repository snapshot for tests and benchmarks: finds the tarball, unpacks it once into
// .cache/opam-repository/ (reused while the tarball's size and mtime are unchanged) and hands out
// the directory. Usage in a test:
//
//   test('…', async (t) => {
//     const dir = await opamSnapshotDir(t);
//     if (!dir) return; // skipped: no snapshot on this machine
//     for (const file of listOpamFiles(dir)) …
//   });
//
// Without the tarball a test is skipped locally but fails when CI=true, so CI never goes green by
// silently testing nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { z } from 'zod';

/** How many opam files the snapshot holds (README beside the tarball). */
export const OPAM_SNAPSHOT_FILE_COUNT = 18_793;

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const DEFAULT_CACHE_DIR = join(REPO_ROOT, '.cache', 'opam-repository');
const STAMP_FILE = '.cid-snapshot.json';
const LOCK_STALE_MS = 10 * 60_000;
const LOCK_WAIT_MS = 5 * 60_000;

const StampSchema = z.object({ tarball: z.string(), size: z.number(), mtimeMs: z.number() });
type Stamp = z.infer<typeof StampSchema>;

/** Where the tarball is looked for: `$CID_OPAM_REPO_TARBALL`, else ../shared/data/ beside the repo. */
export function opamSnapshotTarball(): string {
  const fromEnv = process.env.CID_OPAM_REPO_TARBALL;
  if (fromEnv) return resolve(fromEnv);
  return resolve(REPO_ROOT, '..', 'shared', 'data', 'opam-repository.tar.gz');
}

export type OpamSnapshot =
  | { ok: true; dir: string; tarball: string }
  | { ok: false; tarball: string; reason: string };

export interface SnapshotOptions {
  /** Defaults to {@link opamSnapshotTarball}(). */
  tarball?: string;
  /** Defaults to `<repo>/.cache/opam-repository`. */
  cacheDir?: string;
}

function missingMessage(tarball: string): string {
  return (
    `opam-repository snapshot not found at ${tarball}. Put opam-repository.tar.gz in ../shared/data/ ` +
    `(beside this checkout; see its README) or set CID_OPAM_REPO_TARBALL to its path.`
  );
}

function readStamp(dir: string): Stamp | undefined {
  try {
    const parsed = StampSchema.safeParse(JSON.parse(readFileSync(join(dir, STAMP_FILE), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function sameStamp(a: Stamp | undefined, b: Stamp): boolean {
  return a !== undefined && a.tarball === b.tarball && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A lock directory, so parallel test processes unpack once between them. */
async function withLock<T>(lockDir: string, fn: () => T): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(lockDir).mtimeMs > LOCK_STALE_MS) rmSync(lockDir, { recursive: true, force: true });
      } catch {
        // Released meanwhile; just retry.
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir}`);
      await sleep(100);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function unpack(tarball: string, dir: string, stamp: Stamp): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const r = spawnSync('tar', ['-xzf', tarball, '-C', tmp], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`could not unpack ${tarball}: ${r.error?.message ?? r.stderr.trim()}`);
  }
  writeFileSync(join(tmp, STAMP_FILE), JSON.stringify(stamp));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

/**
 * Unpacks the snapshot if needed and returns its directory (holding `packages/` and `repo`), or
 * why it is unavailable. Throws only if the tarball exists but cannot be unpacked.
 */
export async function ensureOpamSnapshot(options: SnapshotOptions = {}): Promise<OpamSnapshot> {
  const tarball = options.tarball ?? opamSnapshotTarball();
  const dir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  let st;
  try {
    st = statSync(tarball);
  } catch {
    return { ok: false, tarball, reason: missingMessage(tarball) };
  }
  if (!st.isFile()) return { ok: false, tarball, reason: missingMessage(tarball) };
  const stamp: Stamp = { tarball, size: st.size, mtimeMs: st.mtimeMs };
  if (sameStamp(readStamp(dir), stamp)) return { ok: true, dir, tarball };
  mkdirSync(resolve(dir, '..'), { recursive: true });
  await withLock(`${dir}.lock`, () => {
    // Another process may have finished unpacking while we waited.
    if (!sameStamp(readStamp(dir), stamp)) unpack(tarball, dir, stamp);
  });
  return { ok: true, dir, tarball };
}

/**
 * The unpacked snapshot for a test. When the tarball is missing: fails the test if CI=true,
 * otherwise skips it (with a message saying how to get the file) and returns undefined.
 */
export async function opamSnapshotDir(t: TestContext, options: SnapshotOptions = {}): Promise<string | undefined> {
  const snap = await ensureOpamSnapshot(options);
  if (snap.ok) return snap.dir;
  if (process.env.CI === 'true') throw new Error(`${snap.reason} (CI=true, so this is a failure, not a skip)`);
  t.skip(snap.reason);
  return undefined;
}

/** Every `packages/<name>/<name>.<version>/opam` under the snapshot directory, sorted. */
export function listOpamFiles(dir: string): string[] {
  const root = join(dir, 'packages');
  const out: string[] = [];
  for (const name of readdirSync(root).sort()) {
    const pkgDir = join(root, name);
    for (const release of readdirSync(pkgDir).sort()) {
      const f = join(pkgDir, release, 'opam');
      if (existsSync(f)) out.push(f);
    }
  }
  return out;
}
