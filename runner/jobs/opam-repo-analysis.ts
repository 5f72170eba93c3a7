import type { AnalysisResult, RunnerJob, OpamRepoAnalysis } from '../../lib/contract/index.ts';
import { analyzeChanges } from '../../lib/opam-repo/index.ts';
import type { TreeView } from '../../lib/opam-repo/index.ts';
import type { Platform } from '../../lib/analysis/index.ts';
import { changedPaths, listTree, readBlobs } from '../source/git.ts';
import type { TreeEntry } from '../source/git.ts';
import { hasBase, MERGE_CONFLICT, mergePr, openPrCommits } from '../source/pr-commits.ts';
import type { PrCommitsOptions } from '../source/pr-commits.ts';
import type { JobOutcome } from './job-outcome.ts';

/** The (analysis) job of an opam repository: merge, find the changed releases, lint, plan. */

export interface OpamRepoAnalysisContext extends PrCommitsOptions {
  platforms: readonly Platform[];
  maxRevdeps?: number;
  log: (line: string) => void;
}

const EMPTY_INFO: AnalysisResult['info'] = { roots: [], pinned: [], monorepo: false };

function result(opamRepo: OpamRepoAnalysis, dropped: AnalysisResult['dropped'] = []): AnalysisResult {
  return { jobs: [], dropped, info: EMPTY_INFO, opamRepo };
}

function treeView(gitDir: string, entries: Map<string, TreeEntry>): TreeView {
  return {
    files: new Map([...entries].map(([path, e]) => [path, e.mode])),
    async read(paths) {
      const wanted = paths.flatMap((p) => {
        const e = entries.get(p);
        return e ? [[p, e.oid] as const] : [];
      });
      const blobs = await readBlobs(gitDir, wanted.map(([, oid]) => oid));
      const out = new Map<string, string>();
      for (const [p, oid] of wanted) {
        const text = blobs.get(oid);
        if (text !== undefined) out.set(p, text);
      }
      return out;
    },
  };
}

export async function runOpamRepoAnalysis(job: RunnerJob, ctx: OpamRepoAnalysisContext): Promise<JobOutcome> {
  const log = ctx.log;
  const source = job.source;
  if (!hasBase(source)) {
    // A push to a branch of the repository: every release on it was built and linted in its PR.
    log('opam repository: not a pull request, nothing to build\n');
    return { status: 'passed', output: result({ packages: [], lint: [], jobs: [], revdeps: [] }) };
  }
  const t0 = Date.now();
  const pr = await openPrCommits(source, ctx);
  try {
    log(`opam repository: merging ${source.sha.slice(0, 12)} into ${source.baseSha.slice(0, 12)}\n`);
    const merged = await mergePr(pr);
    if (!merged.ok) {
      log(`Error: ${MERGE_CONFLICT}\nConflicting paths:\n${merged.conflicts.map((c) => `  ${c}`).join('\n')}\n`);
      return { status: 'failed', reason: MERGE_CONFLICT, output: result({ baseSha: source.baseSha, packages: [], lint: [], jobs: [], revdeps: [], failure: MERGE_CONFLICT }) };
    }
    const [paths, baseTree, mergedTree] = await Promise.all([
      changedPaths(pr.gitDir, pr.base, merged.tree),
      listTree(pr.gitDir, pr.base),
      listTree(pr.gitDir, merged.tree),
    ]);
    log(`${paths.length} changed paths (${Date.now() - t0} ms)\n`);
    const { analysis, dropped } = await analyzeChanges({
      changedPaths: paths,
      base: treeView(pr.gitDir, baseTree),
      merged: treeView(pr.gitDir, mergedTree),
      platforms: ctx.platforms,
      ...(ctx.maxRevdeps === undefined ? {} : { maxRevdeps: ctx.maxRevdeps }),
      log: (line) => log(`${line}\n`),
    });
    for (const l of analysis.lint) log(`${l.message}\n`);
    const output = result({ ...analysis, baseSha: source.baseSha, mergedTree: merged.tree }, dropped);
    if (analysis.failure !== undefined) {
      log(`Error: ${analysis.failure}\n`);
      return { status: 'failed', reason: analysis.failure.split('\n')[0] ?? analysis.failure, output };
    }
    const revdepJobs = analysis.revdeps.reduce((n, r) => n + r.builds.reduce((m, b) => m + b.packages.length, 0), 0);
    log(`${analysis.jobs.length} jobs for the changed releases, ${revdepJobs} revdep jobs (${Date.now() - t0} ms)\n`);
    return { status: 'passed', output };
  } finally {
    await pr.release();
  }
}
