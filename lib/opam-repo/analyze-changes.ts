// The analysis of an opam-repository PR once the head is merged into the base: which releases
// changed and how, their lint messages and the jobs to run. No I/O of its own: the trees are
// read through `TreeView`s (git on a runner, plain maps in tests).
import type { ChangedPackage, LintMessage, OpamRepoAnalysis } from '../contract/index.ts';
import { fullOcamlVersion, platformVars } from '../analysis/index.ts';
import type { Platform } from '../analysis/index.ts';
import { changedPackages } from './changed-paths.ts';
import { classifyChange, REVDEP_KINDS } from './classify.ts';
import { lintRelease, PackageNames } from './lint/index.ts';
import type { LintCheckKind } from './lint/index.ts';
import { opamRepoMatrix, revdepPlatforms } from './matrix.ts';
import { planJobs } from './plan.ts';
import { RevdepsIndex } from './revdeps.ts';
import { Coinstallability } from './coinstallable.ts';
import { Universe } from '../opam/solver/index.ts';

export interface TreeView {
  /** Every file of the tree (relative path) with its git mode ("100644"). */
  files: ReadonlyMap<string, string>;
  /** The contents of these files (paths missing from the tree are left out). */
  read(paths: readonly string[]): Promise<Map<string, string>>;
}

export interface AnalyzeChangesInput {
  /** Paths that differ between the base and the merged tree. */
  changedPaths: readonly string[];
  base: TreeView;
  merged: TreeView;
  platforms: readonly Platform[];
  maxRevdeps?: number;
  /** The lint's kinds of checks; default opam-repo-ci's (see ./lint/index.ts). */
  lintChecks?: readonly LintCheckKind[];
  log?: (line: string) => void;
}

export interface AnalyzeChangesResult {
  analysis: OpamRepoAnalysis;
  dropped: Array<{ variant: string; reason: string }>;
}

const OPAM_PATH = /^packages\/([^/]+)\/([^/]+)\/opam$/;
const opamPath = (name: string, pkg: string): string => `packages/${name}/${pkg}/opam`;

/** Every name with a directory under packages/ (what opam-ci-check lists for name collisions). */
function dirNamesIn(tree: TreeView): Set<string> {
  const names = new Set<string>();
  for (const path of tree.files.keys()) {
    if (!path.startsWith('packages/')) continue;
    const end = path.indexOf('/', 'packages/'.length);
    if (end > 'packages/'.length) names.add(path.slice('packages/'.length, end));
  }
  return names;
}

/** Package names present in a tree. */
function namesIn(tree: TreeView): Set<string> {
  const names = new Set<string>();
  for (const path of tree.files.keys()) {
    const m = OPAM_PATH.exec(path);
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}

function releaseFiles(tree: TreeView, name: string, pkg: string): Map<string, string> {
  const prefix = `packages/${name}/${pkg}/`;
  const out = new Map<string, string>();
  for (const [path, mode] of tree.files) if (path.startsWith(prefix)) out.set(path.slice(prefix.length), mode);
  return out;
}

export async function analyzeChanges(input: AnalyzeChangesInput): Promise<AnalyzeChangesResult> {
  const log = input.log ?? (() => undefined);
  const { packages: touched, errors } = changedPackages(input.changedPaths);
  const baseNames = namesIn(input.base);
  const baseTexts = await input.base.read(touched.map((t) => opamPath(t.name, t.pkg)));
  const touchedTexts = await input.merged.read(touched.map((t) => opamPath(t.name, t.pkg)));

  const packages: ChangedPackage[] = [];
  for (const t of touched) {
    const path = opamPath(t.name, t.pkg);
    const baseText = baseTexts.get(path);
    const mergedText = touchedTexts.get(path);
    const c = classifyChange({
      touched: t,
      ...(baseText === undefined ? {} : { baseText }),
      ...(mergedText === undefined ? {} : { mergedText }),
      nameInBase: baseNames.has(t.name),
    });
    if ('error' in c) errors.push(c.error);
    else packages.push({ pkg: t.pkg, change: c.change, hasTests: c.hasTests });
  }
  for (const p of packages) log(`${p.pkg}: ${p.change}${p.hasTests ? ' (has tests)' : ''}`);

  const lint: LintMessage[] = [];
  const newPackages = new Set(packages.filter((p) => p.change === 'new-package').map((p) => p.pkg));
  // Only new packages are compared with every name of the repository.
  const packageNames = newPackages.size > 0 ? new PackageNames(dirNamesIn(input.merged)) : undefined;
  for (const t of touched) {
    const text = touchedTexts.get(opamPath(t.name, t.pkg));
    if (text === undefined) continue;
    lint.push(
      ...lintRelease({
        name: t.name,
        version: t.version,
        text,
        dirFiles: releaseFiles(input.merged, t.name, t.pkg),
        newPackage: newPackages.has(t.pkg),
        ...(packageNames === undefined ? {} : { packageNames }),
        ...(input.lintChecks === undefined ? {} : { checks: input.lintChecks }),
      }),
    );
  }

  const matrix = opamRepoMatrix(input.platforms);
  if (errors.length > 0) {
    return { analysis: { packages, lint, jobs: [], revdeps: [], failure: errors.join('\n') }, dropped: matrix.dropped };
  }

  // The whole repository is read only when some release has revdeps to find.
  const needRevdeps = packages.some((p) => REVDEP_KINDS.has(p.change));
  let texts = touchedTexts;
  let index: RevdepsIndex | undefined;
  let coinstall: Coinstallability | undefined;
  if (needRevdeps) {
    const t0 = Date.now();
    const all = [...input.merged.files.keys()].filter((p) => OPAM_PATH.test(p));
    texts = await input.merged.read(all);
    // `opam-version` filters are judged with the opam of the revdep jobs (the first host's).
    const host = revdepPlatforms(matrix)[0];
    const opamVersion = host === undefined ? undefined : platformVars(host.platform)['opam-version'];
    index = RevdepsIndex.build(
      [...texts].map(([path, text]) => ({ pkg: OPAM_PATH.exec(path)?.[2] ?? '', text })),
      opamVersion === undefined ? {} : { opamVersion },
    );
    log(`revdeps index: ${index.size} releases in ${Date.now() - t0} ms`);
    const t1 = Date.now();
    // The merged tree's releases, for `--coinstallable-with` solves (coinstallable.ts).
    coinstall = new Coinstallability(Universe.fromTexts([...texts].map(([path, text]) => [OPAM_PATH.exec(path)?.[2] ?? '', text])));
    log(`solver universe: ${coinstall.universe.size} releases in ${Date.now() - t1} ms`);
    for (const mp of revdepPlatforms(matrix)) {
      if (!coinstall.judges(mp.platform)) log(`revdeps on ${mp.platform.variant}: not checked for co-installability (this tree has no ocaml.${fullOcamlVersion(mp.platform.ocamlVersion)})`);
    }
  }
  const byPkg = new Map<string, string>();
  for (const [path, text] of texts) {
    const pkg = OPAM_PATH.exec(path)?.[2];
    if (pkg) byPkg.set(pkg, text);
  }
  const plan = planJobs({
    packages,
    matrix,
    textOf: (pkg) => byPkg.get(pkg),
    revdeps: (pkg, exclude) => index?.revdeps(pkg, { exclude }) ?? [],
    ...(coinstall === undefined ? {} : { coinstallable: (mp, pkg, revdep) => (coinstall.judges(mp.platform) ? coinstall.check(mp.platform, pkg, revdep) : undefined) }),
    ...(input.maxRevdeps === undefined ? {} : { maxRevdeps: input.maxRevdeps }),
  });
  for (const q of coinstall?.gaveUp ?? []) log(`co-installability not decided in time, built anyway: ${q}`);
  for (const r of plan.revdeps) {
    const built = new Set(r.builds.flatMap((b) => b.packages)).size;
    log(`${r.pkg}: ${r.total} revdeps, ${built} packages built${r.capped > 0 ? ` (${r.capped} left out by the cap)` : ''}`);
  }
  return { analysis: { packages, lint, jobs: plan.jobs, revdeps: plan.revdeps }, dropped: matrix.dropped };
}
