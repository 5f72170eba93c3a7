// Benchmark: the changed-package step of an opam-repository PR touching 50 packages of the
// snapshot (new releases, metadata edits, dependency changes, deletions, releases made
// unavailable). Goal: detection and classification < 200 ms. Also reported: the same with the
// lint (the new releases linted as new packages, so that each is also compared with every
// package name for collisions, an index built once per run), and git's part on a real repository of the whole snapshot (merge-tree, diff-tree and
// two ls-trees), which the runner runs before it.
// Run: npx tsx bench/opam-repo-changes.ts
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { changedPackages, classifyChange, lintRelease, PackageNames } from '../lib/opam-repo/index.ts';
import type { ChangeKind } from '../lib/contract/index.ts';
import { changedPaths, listTree, mergeTree } from '../runner/source/git.ts';
import { ensureOpamSnapshot, listOpamFiles } from '../test/support/opam-snapshot.ts';

export interface OpamRepoChangesBenchFigures {
  name: string;
  releases: number;
  changedPackages: number;
  kinds: Partial<Record<ChangeKind, number>>;
  /** changedPackages + classifyChange for every touched release (texts in memory). */
  detectAndClassifyMedianMs: number;
  /** The same plus the lint of every touched release, name collisions included. */
  withLintMedianMs: number;
  /** git merge-tree, diff-tree and two ls-trees on a repository of the whole snapshot. */
  gitMergeAndDiffMs: number | null;
  runs: number;
  goalMs: number;
  withinGoal: boolean;
}

const round = (x: number): number => Math.round(x * 10) / 10;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

interface Pr {
  base: Map<string, string>;
  merged: Map<string, string>;
  paths: string[];
}

/** 50 packages spread over the snapshot, each changed one of five ways. */
function makePr(files: Map<string, string>): Pr {
  const byName = new Map<string, string[]>();
  for (const path of files.keys()) {
    const name = path.split('/')[1] as string;
    byName.set(name, [...(byName.get(name) ?? []), path]);
  }
  const names = [...byName.keys()].filter((n) => (byName.get(n)?.length ?? 0) >= 2).sort();
  const step = Math.floor(names.length / 50);
  const base = new Map(files);
  const merged = new Map(files);
  const paths: string[] = [];
  for (let i = 0; i < 50; i++) {
    const name = names[i * step] as string;
    const releases = (byName.get(name) ?? []).sort();
    const path = releases[releases.length - 1] as string;
    const text = files.get(path) as string;
    switch (i % 5) {
      case 0: // a new release
        base.delete(path);
        break;
      case 1: // metadata only
        merged.set(path, text.replace(/^(maintainer:.*)$/m, '$1\nx-bench-note: "edited"').replace(/^homepage:.*$/m, 'homepage: "https://example.org"'));
        break;
      case 2: // a dependency changes
        merged.set(path, text.replace(/^depends:\s*\[/m, 'depends: [\n  "bench-extra" {>= "1.0"}'));
        break;
      case 3: // deleted
        merged.delete(path);
        break;
      case 4: // made unavailable
        merged.set(path, `${text.replace(/^available:.*$/m, '')}\navailable: false\n`);
        break;
    }
    paths.push(path);
  }
  // And a few paths elsewhere, which are ignored.
  paths.push('README.md', '.github/workflows/ci.yml');
  return { base, merged, paths };
}

function detectAndClassify(pr: Pr, lint: boolean): Map<ChangeKind, number> {
  const kinds = new Map<ChangeKind, number>();
  const { packages } = changedPackages(pr.paths);
  const baseNames = new Set([...pr.base.keys()].map((p) => p.split('/')[1]));
  const packageNames = lint ? new PackageNames([...pr.merged.keys()].map((p) => p.split('/')[1] as string)) : undefined;
  for (const t of packages) {
    const path = `packages/${t.name}/${t.pkg}/opam`;
    const baseText = pr.base.get(path);
    const mergedText = pr.merged.get(path);
    const c = classifyChange({
      touched: t,
      ...(baseText === undefined ? {} : { baseText }),
      ...(mergedText === undefined ? {} : { mergedText }),
      nameInBase: baseNames.has(t.name),
    });
    if ('error' in c) throw new Error(c.error);
    kinds.set(c.change, (kinds.get(c.change) ?? 0) + 1);
    if (lint && mergedText !== undefined) {
      lintRelease({
        name: t.name,
        version: t.version,
        text: mergedText,
        dirFiles: new Map([['opam', '100644']]),
        newPackage: c.change === 'new-release',
        ...(packageNames === undefined ? {} : { packageNames }),
      });
    }
  }
  return kinds;
}

/** A git repository of the snapshot with the PR on a branch and master moved on; times the runner's git part. */
async function gitFigures(root: string, pr: Pr): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cid-bench-git-'));
  try {
    const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=b', '-c', 'user.email=b@e', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 }).trim();
    git('init', '-q', '-b', 'master');
    cpSync(join(root, 'packages'), join(dir, 'packages'), { recursive: true });
    writeFileSync(join(dir, 'repo'), 'opam-version: "2.0"\n');
    for (const p of pr.paths.filter((x) => x.startsWith('packages/'))) {
      if (!pr.base.has(p)) rmSync(join(dir, dirname(p)), { recursive: true, force: true });
      else writeFileSync(join(dir, p), pr.base.get(p) as string);
    }
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    const fork = git('rev-parse', 'HEAD');
    git('checkout', '-q', '-b', 'pr');
    for (const p of pr.paths.filter((x) => x.startsWith('packages/'))) {
      const text = pr.merged.get(p);
      if (text === undefined) rmSync(join(dir, dirname(p)), { recursive: true, force: true });
      else {
        cpSync(join(root, dirname(p)), join(dir, dirname(p)), { recursive: true });
        writeFileSync(join(dir, p), text);
      }
    }
    git('add', '-A');
    git('commit', '-q', '-m', 'pr');
    const head = git('rev-parse', 'HEAD');
    git('checkout', '-q', 'master');
    writeFileSync(join(dir, 'README.md'), 'master moved on\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'master');
    const base = git('rev-parse', 'HEAD');
    void fork;
    const gitDir = join(dir, '.git');
    const t0 = performance.now();
    const merged = await mergeTree(gitDir, base, head);
    if (!merged.ok) throw new Error('the benchmark PR does not merge');
    const t1 = performance.now();
    await Promise.all([changedPaths(gitDir, base, merged.tree), listTree(gitDir, base), listTree(gitDir, merged.tree)]);
    const t2 = performance.now();
    if (process.env.CID_BENCH_VERBOSE) console.error({ mergeMs: t1 - t0, diffAndListMs: t2 - t1 });
    return t2 - t0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(opts: { runs?: number; git?: boolean } = {}): Promise<OpamRepoChangesBenchFigures> {
  const runs = opts.runs ?? 7;
  const snap = await ensureOpamSnapshot();
  if (!snap.ok) throw new Error(snap.reason);
  const files = new Map(listOpamFiles(snap.dir).map((f) => [`packages/${basename(dirname(dirname(f)))}/${basename(dirname(f))}/opam`, readFileSync(f, 'utf8')]));
  const pr = makePr(files);

  let kinds = new Map<ChangeKind, number>();
  const plain: number[] = [];
  const linted: number[] = [];
  for (let i = 0; i < runs; i++) {
    let s = performance.now();
    kinds = detectAndClassify(pr, false);
    plain.push(performance.now() - s);
    s = performance.now();
    detectAndClassify(pr, true);
    linted.push(performance.now() - s);
  }
  const gitMs = opts.git === false ? null : round(await gitFigures(snap.dir, pr));
  const goalMs = 200;
  const detect = round(median(plain));
  return {
    name: 'changed packages of a 50-package opam-repository PR: detection and classification',
    releases: files.size,
    changedPackages: [...kinds.values()].reduce((a, b) => a + b, 0),
    kinds: Object.fromEntries(kinds),
    detectAndClassifyMedianMs: detect,
    withLintMedianMs: round(median(linted)),
    gitMergeAndDiffMs: gitMs,
    runs,
    goalMs,
    withinGoal: detect < goalMs,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await run();
  console.log(JSON.stringify(figures, null, 2));
  if (!figures.withinGoal) process.exitCode = 1;
}
