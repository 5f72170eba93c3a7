// Benchmark: reverse dependencies of dune and lwt (their newest releases) over the whole
// opam-repository snapshot (18,793 releases). Goal: each query < 1 s once the index is built;
// the index is built once per analysis and reported separately, as is reading the files.
// Run: npx tsx bench/opam-revdeps.ts
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { compareVersions } from '../lib/opam/index.ts';
import { RevdepsIndex } from '../lib/opam-repo/index.ts';
import { ensureOpamSnapshot, listOpamFiles } from '../test/support/opam-snapshot.ts';

export interface RevdepsQueryFigures {
  pkg: string;
  /** Releases found (all versions), of which direct. */
  revdeps: number;
  direct: number;
  /** Distinct package names among them. */
  packages: number;
  queryMedianMs: number;
  queryMaxMs: number;
}

export interface OpamRevdepsBenchFigures {
  name: string;
  releases: number;
  readMs: number;
  /** Parsing every file and linking the dependency graph, once. */
  indexBuildMs: number;
  queries: RevdepsQueryFigures[];
  /** Index build plus one query of each package: what an analysis of such a PR spends. */
  buildAndQueryMs: number;
  runs: number;
  goalMs: number;
  withinGoal: boolean;
}

const round = (x: number): number => Math.round(x * 10) / 10;

function newest(index: Map<string, string[]>, name: string): string {
  const versions = index.get(name) ?? [];
  const stable = versions.filter((v) => !/[~+]/.test(v));
  const v = (stable.length > 0 ? stable : versions).sort(compareVersions).at(-1);
  if (v === undefined) throw new Error(`${name} is not in the snapshot`);
  return `${name}.${v}`;
}

export async function run(opts: { runs?: number } = {}): Promise<OpamRevdepsBenchFigures> {
  const runs = opts.runs ?? 5;
  const snap = await ensureOpamSnapshot();
  if (!snap.ok) throw new Error(snap.reason);

  const t0 = performance.now();
  const releases = listOpamFiles(snap.dir).map((f) => ({ pkg: basename(dirname(f)), text: readFileSync(f, 'utf8') }));
  const t1 = performance.now();
  const index = RevdepsIndex.build(releases);
  const t2 = performance.now();

  const versions = new Map<string, string[]>();
  for (const r of releases) {
    const dot = r.pkg.indexOf('.');
    const name = r.pkg.slice(0, dot);
    versions.set(name, [...(versions.get(name) ?? []), r.pkg.slice(dot + 1)]);
  }
  const queries: RevdepsQueryFigures[] = [];
  let firstQueries = 0;
  for (const name of ['dune', 'lwt']) {
    const pkg = newest(versions, name);
    const times: number[] = [];
    let found = index.revdeps(pkg);
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      found = index.revdeps(pkg);
      times.push(performance.now() - s);
    }
    firstQueries += times[0] ?? 0;
    times.sort((a, b) => a - b);
    queries.push({
      pkg,
      revdeps: found.length,
      direct: found.filter((r) => r.direct).length,
      packages: new Set(found.map((r) => r.name)).size,
      queryMedianMs: round(times[Math.floor(times.length / 2)] ?? NaN),
      queryMaxMs: round(times[times.length - 1] ?? NaN),
    });
  }
  const goalMs = 1000;
  return {
    name: 'revdeps of dune and lwt over the opam-repository snapshot',
    releases: index.size,
    readMs: round(t1 - t0),
    indexBuildMs: round(t2 - t1),
    queries,
    buildAndQueryMs: round(t2 - t1 + firstQueries),
    runs,
    goalMs,
    withinGoal: queries.every((q) => q.queryMedianMs < goalMs),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await run();
  console.log(JSON.stringify(figures, null, 2));
  if (!figures.withinGoal) process.exitCode = 1;
}
