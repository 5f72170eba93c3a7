import type { Job, Pipeline } from '../../lib/contract/index.ts';
import { commitUrl, jobUrl } from '../web/paths.ts';

export const SUMMARY_CHECK_NAME = 'cid';
/** GitHub's limit on a check run's summary and text. */
export const MAX_CHECK_TEXT = 65_535;
/** Room kept in the summary for what the analysis decided about packages. */
const PACKAGES_ROOM = 16_000;
/** A job's line about packages is cut beyond this, so one job's hundred packages never fill the room. */
const MAX_PACKAGE_LINE = 2_000;

type CheckState =
  | { status: 'queued' | 'in_progress' }
  | { status: 'completed'; conclusion: 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' };

/** How a job shows on GitHub. Experimental jobs never fail the commit, so their failure is neutral. */
export function checkStateFor(job: Pick<Job, 'status' | 'experimental' | 'reason'>): CheckState {
  switch (job.status) {
    case 'queued':
      return { status: 'queued' };
    case 'running':
      return { status: 'in_progress' };
    case 'passed':
      return { status: 'completed', conclusion: 'success' };
    case 'failed':
      if (job.experimental) return { status: 'completed', conclusion: 'neutral' };
      return { status: 'completed', conclusion: job.reason?.startsWith('timed out') ? 'timed_out' : 'failure' };
    case 'errored':
      return { status: 'completed', conclusion: job.experimental ? 'neutral' : 'failure' };
    case 'cancelled':
      return { status: 'completed', conclusion: 'cancelled' };
    case 'skipped':
      return { status: 'completed', conclusion: 'skipped' };
  }
}

/** One line per job, in ocaml-ci's style. */
export function summaryLine(job: Job, url: string): string {
  const label = job.experimental ? `EXPERIMENTAL: ${job.name}` : job.name;
  const why = job.reason ? `: ${job.reason.replace(/[[\]\n]/g, ' ').slice(0, 200)}` : '';
  switch (job.status) {
    case 'passed':
      return `✅ [${label} (passed)](${url})`;
    case 'failed':
      return `❌ [${label} (failed${why})](${url})`;
    case 'errored':
      return `❌ [${label} (errored${why})](${url})`;
    case 'cancelled':
      return `❌ [${label} (cancelled)](${url})`;
    case 'skipped':
      return `¯\\_(ツ)_/¯ [${label} (skipped${why})](${url})`;
    case 'queued':
    case 'running':
      return `🟠 [${label} (active)](${url})`;
  }
}

const names = (xs: readonly string[]): string => (xs.length ? xs.map((x) => `\`${x}\``).join(', ') : '(none)');

/** The roots and pins, then one line per job that builds only some roots. */
export function packageLines(pipeline: Pick<Pipeline, 'roots' | 'pinned'>, jobs: readonly Job[]): string[] {
  const partial = jobs.filter((j) => j.packages && (j.packages.leftOut.length > 0 || j.packages.omitted > 0));
  if (pipeline.roots === undefined && partial.length === 0) return [];
  const lines = ['', `**Root packages:** ${names(pipeline.roots ?? [])}${pipeline.pinned?.length ? ` · **pinned:** ${names(pipeline.pinned)}` : ''}`];
  for (const j of partial) {
    const p = j.packages!;
    const out = p.leftOut.map((l) => `\`${l.name}\` (${l.reason.replace(/\n/g, ' ')})`).join(', ');
    const more = p.omitted > 0 ? ` and ${p.omitted} more` : '';
    const line = `- ${j.name} builds ${names(p.built)}; leaves out ${out}${more}`;
    lines.push(line.length > MAX_PACKAGE_LINE ? `${line.slice(0, MAX_PACKAGE_LINE)}… (cut: see the commit page)` : line);
  }
  return lines;
}

/** The `cid` summary check run: overall state and one line per job, within GitHub's size limit. */
export function summaryCheck(pipeline: Pipeline, jobs: Job[], publicUrl: string): { state: CheckState; title: string; summary: string } {
  const sorted = [...jobs].sort((a, b) => a.name.localeCompare(b.name));
  const lines: string[] = [];
  if (pipeline.error) lines.push(`❌ ${pipeline.error}`, '');
  let size = lines.join('\n').length;
  // What the analysis decided comes last, but a huge job list must not crowd it out: room is kept.
  const pkgLines = packageLines(pipeline, sorted);
  const pkgRoom = Math.min(PACKAGES_ROOM, pkgLines.reduce((n, l) => n + l.length + 1, 0));
  let omitted = 0;
  for (const j of sorted) {
    const line = summaryLine(j, jobUrl(publicUrl, j));
    if (size + line.length + 200 + pkgRoom > MAX_CHECK_TEXT) {
      omitted++;
      continue;
    }
    lines.push(line);
    size += line.length + 1;
  }
  if (omitted > 0) lines.push(`… and ${omitted} more jobs: see ${commitUrl(publicUrl, pipeline.repo, pipeline.sha)}`);
  for (const d of pipeline.dropped) {
    const line = `¯\\_(ツ)_/¯ ${d.variant} (not built: ${d.reason})`;
    if (size + line.length + 1 + pkgRoom > MAX_CHECK_TEXT) break;
    lines.push(line);
    size += line.length + 1;
  }
  for (const [i, line] of pkgLines.entries()) {
    if (size + line.length + 1 + 200 > MAX_CHECK_TEXT) {
      lines.push(`… and ${pkgLines.length - i} more lines about packages: see ${commitUrl(publicUrl, pipeline.repo, pipeline.sha)}`);
      break;
    }
    lines.push(line);
    size += line.length + 1;
  }

  const counts = { passed: 0, failed: 0, active: 0, other: 0 };
  for (const j of jobs) {
    if (j.status === 'passed') counts.passed++;
    else if ((j.status === 'failed' || j.status === 'errored') && !j.experimental) counts.failed++;
    else if (j.status === 'queued' || j.status === 'running') counts.active++;
    else counts.other++;
  }
  let state: CheckState;
  if (pipeline.status === 'errored' || pipeline.status === 'failed') state = { status: 'completed', conclusion: 'failure' };
  else if (counts.active > 0 || pipeline.status === 'pending' || pipeline.status === 'running') state = { status: 'in_progress' };
  else if (pipeline.status === 'cancelled') state = { status: 'completed', conclusion: 'cancelled' };
  else state = { status: 'completed', conclusion: counts.failed > 0 ? 'failure' : 'success' };

  const title = pipeline.error
    ? 'Analysis failed'
    : `${counts.passed} passed, ${counts.failed} failed, ${counts.active} active` + (counts.other ? `, ${counts.other} other` : '');
  return { state, title, summary: lines.join('\n') || 'Analysing…' };
}
