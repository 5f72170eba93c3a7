// How a cid local run ended: the --json document, the summary lines for people, the exit status.
import type { Job, JobPackages } from '../../lib/contract/index.ts';
import { leftOutLines } from '../../cli/left-out.ts';
import { EXIT, exitFor } from '../../cli/exit-codes.ts';
import { commitPath, jobPath } from '../../app/web/paths.ts';
import type { GitHead } from './git-head.ts';
import type { Snapshot } from './watch-pipeline.ts';

export interface ReportContext {
  repo: string;
  head: GitHead;
  /** The UI's base URL: http://localhost:8080. */
  baseUrl: string;
  platforms: string;
}

export interface LocalJobReport {
  name: string;
  kind: Job['kind'];
  pool: Job['pool'];
  status: Job['status'];
  experimental: boolean;
  /** Seconds from start to end (or to now); null when it never ran. */
  duration: number | null;
  reason?: string;
  /** The root packages it builds and those it leaves out on its platform, with why. */
  packages?: JobPackages;
  /** The job's page in the UI, and its log as plain text. */
  url: string;
  log: string;
}

export interface LocalReport {
  repo: string;
  path: string;
  commit: { sha: string; ref: string; subject: string };
  /** Changed or untracked paths left out of the build (cid local builds HEAD). */
  uncommitted: number;
  platforms: string;
  status: Snapshot['status'];
  error?: string;
  url: string;
  jobs: LocalJobReport[];
  dropped: { variant: string; reason: string }[];
  /** The analysis's root and pinned packages (absent until it has passed). */
  roots?: string[];
  pinned?: string[];
}

function seconds(j: Job, now: number): number | null {
  if (!j.startedAt || j.status === 'skipped') return null;
  const end = j.finishedAt ? Date.parse(j.finishedAt) : now;
  return Math.max(0, Math.round((end - Date.parse(j.startedAt)) / 100) / 10);
}

export function localReport(s: Snapshot, c: ReportContext, now = Date.now()): LocalReport {
  const base = c.baseUrl.replace(/\/$/, '');
  return {
    repo: c.repo,
    path: c.head.root,
    commit: { sha: c.head.sha, ref: c.head.ref, subject: c.head.subject },
    uncommitted: c.head.uncommitted.length,
    platforms: c.platforms,
    status: s.status,
    ...(s.pipeline.error ? { error: s.pipeline.error } : {}),
    url: base + commitPath(c.repo, c.head.sha),
    jobs: s.jobs.map((j) => {
      const url = base + jobPath(c.repo, c.head.sha, j.name);
      return {
        name: j.name,
        kind: j.kind,
        pool: j.pool,
        status: j.status,
        experimental: j.experimental,
        duration: seconds(j, now),
        ...(j.reason ? { reason: j.reason.trim() } : {}),
        ...(j.packages ? { packages: j.packages } : {}),
        url,
        log: `${url}/raw`,
      };
    }),
    dropped: s.pipeline.dropped,
    ...(s.pipeline.roots ? { roots: s.pipeline.roots } : {}),
    ...(s.pipeline.pinned ? { pinned: s.pipeline.pinned } : {}),
  };
}

/** 0 when every required job passed (or was skipped); 1 when one failed or errored, or the analysis did. */
export function localExitCode(r: Pick<LocalReport, 'status'>): number {
  const code = exitFor(r.status);
  // "pending"/"running" at the end means the run was cut short: not a pass.
  return code === EXIT.running ? EXIT.failed : code;
}

export const IMAGE_UNAVAILABLE = /^image (\S+) \(([^)]+)\) is unavailable/;
/** What Docker said about a missing image: the reason after "is unavailable: ", on one line. */
const imageDetail = (reason: string): string => reason.replace(IMAGE_UNAVAILABLE, '').replace(/^:\s*/, '').replace(/\s+/g, ' ').trim();
const missingImage = (j: LocalJobReport): string | undefined => (j.status === 'errored' ? IMAGE_UNAVAILABLE.exec(j.reason ?? '')?.[1] : undefined);

/** The lines printed after the progress: the outcome, what went wrong and where to look. */
export function summaryLines(r: LocalReport): string[] {
  const counts = new Map<string, number>();
  for (const j of r.jobs) counts.set(j.status, (counts.get(j.status) ?? 0) + 1);
  const lines = [`${r.status}: ${[...counts].map(([st, n]) => `${n} ${st}`).join(', ')} — ${r.url}`];
  // The analysis failing is the whole story ("No opam files found!"), in one sentence.
  if (r.error) lines.push(`the analysis of ${r.repo} at ${r.commit.sha.slice(0, 12)} failed: ${r.error.split('\n')[0]}`);
  for (const j of r.jobs) {
    if ((j.status !== 'failed' && j.status !== 'errored') || missingImage(j) !== undefined) continue;
    if (j.kind === 'analysis' && r.error) continue;
    lines.push(`${j.experimental ? 'experimental job ' : ''}${j.name} ${j.status}${j.reason ? `: ${j.reason.split('\n')[0]}` : ''} — ${j.url}`);
  }
  for (const d of r.dropped) lines.push(`not built: ${d.variant} (${d.reason})`);
  lines.push(...leftOutLines(r.jobs));
  // Without a registry (or with the default catalogue offline) every job errors the same way: one line says it.
  const noImage = r.jobs.filter((j) => missingImage(j) !== undefined);
  if (noImage.length > 0) {
    const images = [...new Set(noImage.map(missingImage))];
    const shown = images.slice(0, 2).join(', ') + (images.length > 2 ? `, … (${images.length} images)` : '');
    const n = noImage.length;
    lines.push(
      `${n} job${n === 1 ? '' : 's'} errored because ${n === 1 ? 'its base image is' : 'their base images are'} not on this machine and could not be pulled (${shown}): ` +
        'pull them first, or use --platforms FILE with images you have (see docker images)',
    );
    // The engine's own words (a registry error, the same for every job as a rule), once.
    const details = [...new Set(noImage.map((j) => imageDetail(j.reason ?? '')))].filter((d) => d !== '');
    for (const d of details.slice(0, 2)) lines.push(`  ${d}`);
    if (details.length > 2) lines.push(`  (and ${details.length - 2} other errors: see each job's log)`);
  }
  return lines;
}
