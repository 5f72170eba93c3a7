import { z } from 'zod';
import { AnalysisResultSchema, boundPackages, packageName } from '../contract/index.ts';
import { ConfigError } from '../errors/index.ts';
import type { AnalysisResult, BuildSpec, PlannedJob } from '../contract/index.ts';
import { AnalysisError } from './errors.ts';
import { docSpec, fmtSpec, opamLintSpec } from './lint.ts';
import { lintPlatforms, lowerBoundPlatform, NO_LINT_PLATFORM, planPlatforms } from './matrix.ts';
import type { Dropped, PlannedPlatform } from './matrix.ts';
import { monorepoPlatform, monorepoSpec, readLock } from './monorepo.ts';
import { lowerBoundSpec, opamBuildSpec, preinstalledBuildSpec } from './opam-build.ts';
import type { OpamBuildInput } from './opam-build.ts';
import { readOpamFacts } from './opam-adapter.ts';
import type { ReadOpam } from './opam-facts.ts';
import { defaultPlatforms } from './platforms.ts';
import { DepsSolver } from './solve-deps.ts';
import type { Universe } from '../opam/solver/index.ts';
import type { Platform } from './platforms.ts';
import { readRepoContent } from './repo-content.ts';
import { applyRepoConfig, readRepoConfig } from './repo-config.ts';
import type { FileReader, RepoContent } from './repo-content.ts';
import { LINT_DOC_LABEL, LINT_FMT_LABEL, LINT_OPAM_LABEL, LOWER_BOUND_LABEL } from './variant.ts';

/** ocaml-ci's build timeout; slow architectures get three times as long. */
export const BUILD_TIMEOUT_SECONDS = 3600;
const timeoutFor = (p: Platform): number => (p.arch === 'riscv64' ? 3 * BUILD_TIMEOUT_SECONDS : BUILD_TIMEOUT_SECONDS);

/** A git revision safe to put in a shell command (it is quoted as well). */
const OpamRepoCommitSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/);

function checkOpamRepoCommit(commit: string): void {
  if (!OpamRepoCommitSchema.safeParse(commit).success) {
    throw new ConfigError(`opamRepoCommit ${JSON.stringify(commit)} must be an opam-repository commit sha (or a branch name for local use)`);
  }
}

export interface PlanOptions {
  platforms?: readonly Platform[];
  /** The opam-repository commit every build resets to, so builds are reproducible and cached. */
  opamRepoCommit: string;
  /** odoc warnings fail (lint-doc): off unless true, as in ocaml-ci (ODOC_WARN_ERROR=false). */
  docWarningsAsErrors?: boolean;
  /** Plan the lint jobs (default true). */
  lint?: boolean;
  /**
   * The packages of the opam-repository commit: with them every platform is solved (exact
   * dependency sets, platforms without a solution dropped with the solver's explanation).
   * Without them, platforms are judged by `available` and the `ocaml` constraint alone.
   */
  universe?: Universe;
  /** Receives lines worth showing in the (analysis) log. */
  log?: (line: string) => void;
}

export interface AnalyzeInput extends PlanOptions {
  /** Every path in the commit, relative to its root. */
  files: readonly string[];
  readFile: FileReader;
  /** Parses opam files; the app/opam parser unless a test substitutes it. */
  readOpam?: ReadOpam;
}

function job(name: string, kind: PlannedJob['kind'], platform: Platform, spec: BuildSpec, experimental = false): PlannedJob {
  return {
    name,
    kind,
    pool: platform.pool,
    priority: 'urgent',
    spec,
    experimental: experimental || platform.experimental,
    timeoutSeconds: timeoutFor(platform),
  };
}

/** A job on a planned platform, with the roots it builds and those it leaves out there. */
function platformJob(name: string, kind: PlannedJob['kind'], host: PlannedPlatform, spec: BuildSpec, experimental = false): PlannedJob {
  return { ...job(name, kind, host.platform, spec, experimental), packages: boundPackages(host.roots.map(packageName), host.leftOut) };
}

function buildInput(content: RepoContent, planned: PlannedPlatform, opamRepoCommit: string): OpamBuildInput {
  return {
    platform: planned.platform,
    opamRepoCommit,
    opamFiles: [...content.roots, ...content.pinned],
    roots: planned.roots,
    onlyPackages: planned.onlyPackages,
    ...(planned.deps === undefined ? {} : { deps: planned.deps }),
  };
}

function lintJobs(content: RepoContent, kept: readonly PlannedPlatform[], opts: PlanOptions): { jobs: PlannedJob[]; dropped: Dropped[] } {
  const jobs: PlannedJob[] = [];
  const dropped: Dropped[] = [];
  const { doc, opam } = lintPlatforms(kept);
  const wantFmt = !content.ocamlformat.ok || content.ocamlformat.source !== undefined;
  const add = (label: string, host: PlannedPlatform | undefined, make: (h: PlannedPlatform) => PlannedJob): void => {
    if (host === undefined) dropped.push({ variant: label, reason: NO_LINT_PLATFORM[label] ?? 'no platform to run it on' });
    else jobs.push(make(host));
  };
  // No .ocamlformat, no (lint-fmt): ocaml-ci's job would only print that it skips.
  if (wantFmt) add(LINT_FMT_LABEL, doc, (h) => job(LINT_FMT_LABEL, 'lint', h.platform, fmtSpec(h.platform, opts.opamRepoCommit, content.ocamlformat)));
  add(LINT_DOC_LABEL, doc, (h) =>
    platformJob(LINT_DOC_LABEL, 'lint', h, docSpec(buildInput(content, h, opts.opamRepoCommit), { warningsAsErrors: opts.docWarningsAsErrors })),
  );
  // ocaml-ci counts (lint-opam) as experimental: it never fails the commit.
  add(LINT_OPAM_LABEL, opam, (h) => platformJob(LINT_OPAM_LABEL, 'lint', h, opamLintSpec(buildInput(content, h, opts.opamRepoCommit)), true));
  return { jobs, dropped };
}

/**
 * (lower-bound), when the catalogue marks platforms for it (ocaml-ci's `All` profile has
 * lower-bound platforms, `Minimal` none): one experimental build on the marked platform with the
 * lowest OCaml the roots accept. Dropped with a reason when the roots rule out every one of them.
 */
function lowerBoundJobs(
  content: RepoContent,
  platforms: readonly Platform[],
  kept: readonly PlannedPlatform[],
  opts: PlanOptions,
  solver: DepsSolver | undefined,
): { jobs: PlannedJob[]; dropped: Dropped[] } {
  if (!platforms.some((p) => p.lowerBound)) return { jobs: [], dropped: [] };
  let host = lowerBoundPlatform(kept);
  if (host === undefined) {
    return { jobs: [], dropped: [{ variant: LOWER_BOUND_LABEL, reason: NO_LINT_PLATFORM[LOWER_BOUND_LABEL] ?? 'no platform to run it on' }] };
  }
  if (solver !== undefined) {
    // The oldest versions the opam files allow (ocaml-ci's lower-bound selection).
    const r = solver.solve(host.platform, host.roots, { lowerBounds: true });
    if (!r.ok) return { jobs: [], dropped: [{ variant: LOWER_BOUND_LABEL, reason: r.reason }] };
    opts.log?.(`${LOWER_BOUND_LABEL} on ${host.platform.variant}: ${r.packages.length} packages (solved in ${r.ms} ms)`);
    host = { ...host, deps: r.packages };
  }
  const spec = lowerBoundSpec(buildInput(content, host, opts.opamRepoCommit));
  // ocaml-ci counts (lower-bound) as experimental: it never fails the commit.
  return { jobs: [platformJob(LOWER_BOUND_LABEL, 'build', host, spec, true)], dropped: [] };
}

function info(content: RepoContent): AnalysisResult['info'] {
  const ocamlformatVersion =
    content.ocamlformat.ok && content.ocamlformat.source?.kind === 'opam' ? content.ocamlformat.source.version : undefined;
  return {
    roots: content.roots.map((r) => r.pkg),
    pinned: [...content.pinned.map((p) => p.pkg), ...content.pinDepends],
    ...(ocamlformatVersion === undefined ? {} : { ocamlformatVersion }),
    monorepo: content.lockFiles.length > 0,
  };
}

function planMonorepo(content: RepoContent, platforms: readonly Platform[], opts: PlanOptions): AnalysisResult {
  const locks = content.lockFiles.map(readLock);
  const builds = locks.map((lock) => {
    const platform = monorepoPlatform(lock, platforms);
    // One lock file: the job is named after its platform, as any build; several: after the file.
    const name = locks.length > 1 ? lock.path : platform.variant;
    return job(name, 'build', platform, monorepoSpec(lock, platform, opts.opamRepoCommit));
  });
  const jobs: PlannedJob[] = [];
  const first = locks[0] === undefined ? undefined : monorepoPlatform(locks[0], platforms);
  const wantFmt = !content.ocamlformat.ok || content.ocamlformat.source !== undefined;
  if (opts.lint !== false && wantFmt && first !== undefined) {
    jobs.push(job(LINT_FMT_LABEL, 'lint', first, fmtSpec(first, opts.opamRepoCommit, content.ocamlformat)));
  }
  return { jobs: [...jobs, ...builds], dropped: [], info: info(content) };
}

/**
 * Solves each kept platform (ocaml-ci's model): a solution becomes its exact dependency set, no
 * solution drops it with the explanation. Preinstalled images have no opam: nothing to solve.
 */
function solvePlatforms(
  judged: { kept: PlannedPlatform[]; dropped: Dropped[] },
  solver: DepsSolver,
  log: ((line: string) => void) | undefined,
): { kept: PlannedPlatform[]; dropped: Dropped[] } {
  const kept: PlannedPlatform[] = [];
  const dropped = [...judged.dropped];
  const t0 = Date.now();
  for (const k of judged.kept) {
    if (k.platform.preinstalled) {
      kept.push(k);
      continue;
    }
    const r = solver.solve(k.platform, k.roots);
    if (r.ok) {
      kept.push({ ...k, deps: r.packages });
      log?.(`${k.platform.variant}: ${r.packages.join(' ')}`);
    } else dropped.push({ variant: k.platform.variant, reason: r.reason });
  }
  log?.(`Solved ${judged.kept.length} platforms in ${Date.now() - t0} ms: ${kept.length} with a solution`);
  return { kept, dropped };
}

/**
 * From what was found in a commit to the jobs to run (no I/O). Throws AnalysisError when no
 * platform can build the roots.
 */
export function planJobs(content: RepoContent, opts: PlanOptions): AnalysisResult {
  checkOpamRepoCommit(opts.opamRepoCommit);
  const platforms = opts.platforms ?? defaultPlatforms();
  if (content.lockFiles.length > 0) return AnalysisResultSchema.parse(planMonorepo(content, platforms, opts));

  const judged = planPlatforms(content.roots, platforms);
  const solver = opts.universe === undefined ? undefined : new DepsSolver(opts.universe, [...content.roots, ...content.pinned]);
  const { kept, dropped } = solver === undefined ? judged : solvePlatforms(judged, solver, opts.log);
  if (kept.length === 0) {
    const reasons = dropped.map((d) => `${d.variant}: ${d.reason}`);
    const shown = reasons.slice(0, 5).join('\n');
    const more = reasons.length > 5 ? `\n(and ${reasons.length - 5} more)` : '';
    throw new AnalysisError(`No solution found for any supported platform:\n${shown}${more}`);
  }
  const builds = kept.map((k) =>
    platformJob(
      k.platform.variant,
      'build',
      k,
      k.platform.preinstalled ? preinstalledBuildSpec(k.platform, k.onlyPackages) : opamBuildSpec(buildInput(content, k, opts.opamRepoCommit)),
    ),
  );
  const lint = opts.lint === false ? { jobs: [], dropped: [] } : lintJobs(content, kept, opts);
  // Not for opam-monorepo projects (planned above), as in ocaml-ci.
  const lower = lowerBoundJobs(content, platforms, kept, opts, solver);
  return AnalysisResultSchema.parse({
    // ocaml-ci's order: lint jobs, (lower-bound), then the platform builds.
    jobs: [...lint.jobs, ...lower.jobs, ...builds],
    dropped: [...dropped, ...lint.dropped, ...lower.dropped],
    info: info(content),
  });
}

const names = (xs: readonly string[]): string => (xs.length > 0 ? xs.map(packageName).join(', ') : '(none)');

/** What the analysis decided, for its log: roots, pins, and per job what it builds and leaves out. */
export function decisionLines(result: AnalysisResult): string[] {
  if (result.opamRepo) return [];
  const lines = [`Root packages: ${names(result.info.roots)}`, `Pinned packages: ${names(result.info.pinned)}`];
  for (const j of result.jobs) {
    const p = j.packages;
    if (!p) continue;
    const out = p.leftOut.map((l) => `${l.name} (${l.reason})`).join('; ');
    const more = p.omitted > 0 ? ` (and ${p.omitted} more)` : '';
    lines.push(`${j.name}: builds ${names(p.built)}${out ? `; leaves out ${out}` : ''}${more}`);
  }
  return lines;
}

/** Analyses a commit: finds its opam files, .ocamlformat and lock files, plans the jobs, and applies the repository's .cid.yml. */
export async function analyze(input: AnalyzeInput): Promise<AnalysisResult> {
  const content = await readRepoContent({ files: input.files, readFile: input.readFile, readOpam: input.readOpam ?? readOpamFacts });
  for (const note of content.notes) input.log?.(note);
  if (content.lockFiles.length > 0) input.log?.(`opam-monorepo mode: ${content.lockFiles.map((l) => l.path).join(', ')}`);
  const own = await readRepoConfig(input.files, input.readFile);
  const planned = planJobs(content, input);
  const result = own ? applyRepoConfig(planned, own.config, own.file, input.log) : planned;
  for (const line of decisionLines(result)) input.log?.(line);
  for (const d of result.dropped) input.log?.(`Dropped ${d.variant}: ${d.reason}`);
  return result;
}
