// Benchmark: parsing every opam file of the opam-repository snapshot (18,793 files).
// Goal: all of them in < 3 s with zero errors. Reported: one cold pass including disk reads
// (listing + reading + parsing), then parse-only passes over the texts already in memory.
// Run: npx tsx bench/opam-parse.ts
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { OpamParseError, parseOpamFile } from '../lib/opam/index.ts';
import { OPAM_SNAPSHOT_FILE_COUNT, ensureOpamSnapshot, listOpamFiles } from '../test/support/opam-snapshot.ts';

export interface OpamParseBenchFigures {
  name: string;
  files: number;
  expectedFiles: number;
  megabytes: number;
  /** Files that failed to parse (must be 0), with the first few messages. */
  errors: number;
  errorSamples: string[];
  /** List, read and parse every file once, cold (first thing the process does with them). */
  totalWithIoMs: number;
  /** Of which reading the files. */
  readMs: number;
  /** Parse-only passes over the in-memory texts, after the cold pass. */
  runs: number;
  parseMedianMs: number;
  parseMinMs: number;
  parseMaxMs: number;
  filesPerSecond: number;
  megabytesPerSecond: number;
  goalMs: number;
  withinGoal: boolean;
}

const round = (x: number): number => Math.round(x * 100) / 100;

function parseAll(texts: { path: string; text: string }[]): { errors: number; samples: string[] } {
  let errors = 0;
  const samples: string[] = [];
  for (const { path, text } of texts) {
    try {
      parseOpamFile(text, { file: path });
    } catch (e) {
      if (!(e instanceof OpamParseError)) throw e;
      errors++;
      if (samples.length < 5) samples.push(e.message);
    }
  }
  return { errors, samples };
}

export async function run(opts: { runs?: number } = {}): Promise<OpamParseBenchFigures> {
  const runs = opts.runs ?? 5;
  const snap = await ensureOpamSnapshot();
  if (!snap.ok) throw new Error(snap.reason);

  // Cold pass with I/O: what a whole-repository scan costs from a fresh process.
  const t0 = performance.now();
  const paths = listOpamFiles(snap.dir);
  const texts = paths.map((path) => ({ path, text: readFileSync(path, 'utf8') }));
  const t1 = performance.now();
  const cold = parseAll(texts);
  const t2 = performance.now();

  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    const r = parseAll(texts);
    times.push(performance.now() - s);
    if (r.errors !== cold.errors) throw new Error('parse results differ between passes');
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? NaN;
  const chars = texts.reduce((n, t) => n + t.text.length, 0);
  const megabytes = chars / 1e6;
  const goalMs = 3000;
  return {
    name: 'opam parser: every opam file of the opam-repository snapshot',
    files: texts.length,
    expectedFiles: OPAM_SNAPSHOT_FILE_COUNT,
    megabytes: round(megabytes),
    errors: cold.errors,
    errorSamples: cold.samples,
    totalWithIoMs: round(t2 - t0),
    readMs: round(t1 - t0),
    runs,
    parseMedianMs: round(median),
    parseMinMs: round(times[0] ?? NaN),
    parseMaxMs: round(times[times.length - 1] ?? NaN),
    filesPerSecond: Math.round(texts.length / (median / 1000)),
    megabytesPerSecond: round(megabytes / (median / 1000)),
    goalMs,
    withinGoal:
      cold.errors === 0 && texts.length === OPAM_SNAPSHOT_FILE_COUNT && t2 - t0 < goalMs && median < goalMs,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await run();
  console.log(JSON.stringify(figures, null, 2));
  console.log(
    figures.errors === 0
      ? `zero errors: all ${figures.files} files parsed`
      : `${figures.errors} files failed to parse`,
  );
  if (!figures.withinGoal) process.exitCode = 1;
}
