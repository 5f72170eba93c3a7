// Benchmark: analysing a repository with 20 opam files against the default platform catalogue,
// I/O excluded (files are served from memory). Goal: < 100 ms per analysis.
// With --solve: the same analysis solving every platform against the opam-repository snapshot
// (issue #14; goal < 1 s per analysis, the universe loaded once beforehand and timed apart).
// Run: npx tsx bench/analysis.ts [--solve]
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { analyze, defaultPlatforms } from '../lib/analysis/index.ts';
import { Universe } from '../lib/opam/solver/index.ts';
import { ensureOpamSnapshot } from '../test/support/opam-snapshot.ts';

export interface AnalysisBenchFigures {
  name: string;
  opamFiles: number;
  platforms: number;
  jobs: number;
  dropped: number;
  runs: number;
  medianMs: number;
  /** Median CPU time (user + system) of this process per analysis: what the analysis costs, whatever else loads the machine. */
  cpuMedianMs: number;
  p99Ms: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
  goalMs: number;
  withinGoal: boolean;
}

const DEPS = ['fmt', 'logs', 'cmdliner', 'lwt', 'cstruct', 'ppx_deriving', 'yojson', 'uri', 'astring', 'rresult', 'fpath', 'bos'];

/** A realistic opam file: constraints, filters, build commands, an available filter on some. */
function opamText(i: number, siblings: string[], solvable = false): string {
  // The solving benchmark needs lower bounds that opam-repository has (there is no logs 1.0.0).
  const low = (k: number): string => (solvable ? '0.1' : `${k % 3}.${i % 5}.0`);
  const deps = DEPS.slice(0, 4 + (i % 8)).map((d, k) => `  "${d}" {>= "${low(k)}"${k % 4 === 0 ? ` & < "${k + 2}.0"` : ''}}`);
  const internal = siblings.map((s) => `  "${s}" {= version}`);
  // Solvable: roots that depend on each other must not rule each other's platforms out, or
  // every platform is dropped and little is solved.
  const ocaml = solvable ? '"ocaml" {>= "4.08"}' : i % 5 === 0 ? '"ocaml" {>= "5.0"}' : '"ocaml" {>= "4.08" & < "5.5"}';
  const available = i % 3 === 0 && !solvable ? '\navailable: arch != "s390x" & os-distribution != "alpine" & (os = "linux" | os = "macos")' : '';
  return `opam-version: "2.0"
synopsis: "Package ${i} of the benchmark repository"
description: """
A generated package with ${deps.length} dependencies and a few filters, shaped like the
opam files of a mid-sized multi-package project.
"""
maintainer: ["Someone <someone@example.com>"]
authors: ["Someone" "Someone Else"]
license: "ISC"
tags: ["org:example" "bench"]
homepage: "https://github.com/example/bench"
doc: "https://example.github.io/bench/"
bug-reports: "https://github.com/example/bench/issues"
depends: [
  ${ocaml}
  "dune" {>= "3.0"}
${[...deps, ...internal].join('\n')}
  "alcotest" {with-test & >= "1.5.0"}
  "odoc" {with-doc}
  "mdx" {with-test & >= "2.0" & os != "win32"}
]
conflicts: [ "result" {< "1.5"} "ocaml-option-bytecode-only" ]${available}
build: [
  ["dune" "subst"] {dev}
  ["dune" "build" "-p" name "-j" jobs "--promote-install-files=false" "@install" "@runtest" {with-test} "@doc" {with-doc}]
  ["dune" "install" "-p" name "--create-install-files" name]
]
dev-repo: "git+https://github.com/example/bench.git"
x-maintenance-intent: ["(latest)"]
`;
}

/** 14 top-level packages and 6 vendored ones: 20 opam files, plus the usual other files. */
export function benchRepository(solvable = false): Record<string, string> {
  const files: Record<string, string> = {
    'dune-project': '(lang dune 3.0)\n',
    '.ocamlformat': 'profile = conventional\nversion = 0.27.0\n',
    'README.md': '# bench\n',
  };
  for (let i = 0; i < 14; i++) files[`pkg${i}.opam`] = opamText(i, i > 0 ? [`pkg${i - 1}`] : [], solvable);
  for (let i = 0; i < 6; i++) files[`vendor/lib${i}/lib${i}.opam`] = opamText(100 + i, [], solvable);
  for (let i = 0; i < 40; i++) files[`src/module${i}.ml`] = `let x${i} = ${i}\n`;
  return files;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

export async function run(opts: { runs?: number; warmup?: number } = {}): Promise<AnalysisBenchFigures> {
  const runs = opts.runs ?? 200;
  const warmup = opts.warmup ?? 20;
  const contents = benchRepository();
  const files = Object.keys(contents);
  // In memory: the figures measure the analysis, not disk or network.
  const readFile = (path: string): Promise<string> => Promise.resolve(contents[path] ?? '');
  const platforms = defaultPlatforms();
  const once = () => analyze({ files, readFile, platforms, opamRepoCommit: '0123456789abcdef0123456789abcdef01234567' });

  let last = await once();
  for (let i = 0; i < warmup; i++) await once();
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    last = await once();
    const c = process.cpuUsage(c0);
    times.push(performance.now() - t0);
    cpuTimes.push((c.user + c.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  const medianMs = round(percentile(times, 50));
  const p99Ms = round(percentile(times, 99));
  return {
    name: 'analysis: 20 opam files × default catalogue',
    opamFiles: files.filter((f) => f.endsWith('.opam')).length,
    platforms: platforms.length,
    jobs: last.jobs.length,
    dropped: last.dropped.length,
    runs,
    medianMs,
    cpuMedianMs: round(percentile(cpuTimes, 50)),
    p99Ms,
    meanMs: round(times.reduce((a, b) => a + b, 0) / times.length),
    minMs: round(times[0] ?? NaN),
    maxMs: round(times[times.length - 1] ?? NaN),
    goalMs: 100,
    withinGoal: p99Ms < 100,
  };
}

export interface SolvingBenchFigures {
  name: string;
  universeReleases: number;
  /** Reading and parsing the snapshot's opam files into a Universe: once per commit per runner. */
  universeLoadMs: number;
  platforms: number;
  jobs: number;
  dropped: number;
  runs: number;
  medianMs: number;
  cpuMedianMs: number;
  maxMs: number;
  goalMs: number;
  withinGoal: boolean;
}

/** The analysis with the solver: each run solves every platform afresh (a new DepsSolver per analysis). */
export async function runSolving(opts: { runs?: number } = {}): Promise<SolvingBenchFigures> {
  const runs = opts.runs ?? 5;
  const snap = await ensureOpamSnapshot();
  if (!snap.ok) throw new Error(snap.reason);
  const t0 = performance.now();
  const universe = Universe.fromDirectory(snap.dir);
  const universeLoadMs = Math.round(performance.now() - t0);
  const contents = benchRepository(true);
  const files = Object.keys(contents);
  const readFile = (path: string): Promise<string> => Promise.resolve(contents[path] ?? '');
  const platforms = defaultPlatforms();
  const once = () => analyze({ files, readFile, platforms, opamRepoCommit: '0123456789abcdef0123456789abcdef01234567', universe });
  let last = await once();
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const c0 = process.cpuUsage();
    last = await once();
    const c = process.cpuUsage(c0);
    times.push(performance.now() - t);
    cpuTimes.push((c.user + c.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  const medianMs = Math.round(percentile(times, 50));
  return {
    name: 'analysis with the solver: 20 opam files × default catalogue, snapshot universe',
    universeReleases: universe.size,
    universeLoadMs,
    platforms: platforms.length,
    jobs: last.jobs.length,
    dropped: last.dropped.length,
    runs,
    medianMs,
    cpuMedianMs: Math.round(percentile(cpuTimes, 50)),
    maxMs: Math.round(times[times.length - 1] ?? NaN),
    goalMs: 1000,
    withinGoal: medianMs < 1000,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = process.argv.includes('--solve') ? await runSolving() : await run();
  console.log(JSON.stringify(figures, null, 2));
  if (!figures.withinGoal) process.exitCode = 1;
}
