// How states, times and durations read on the pages.
import type { Job, JobStatus, PipelineStatus } from '../../lib/contract/index.ts';
import { html, type Html } from './html.ts';

type AnyStatus = JobStatus | PipelineStatus;

const ICONS: Record<AnyStatus, string> = {
  passed: '✔',
  failed: '✘',
  errored: '⚠',
  cancelled: '⊘',
  skipped: '–',
  queued: '◷',
  pending: '◷',
  running: '●',
};

/** A coloured status pill; the class names the state so CSS decides the colour. */
export function statusBadge(status: AnyStatus | 'unknown', label: string = status): Html {
  const icon = status === 'unknown' ? '?' : ICONS[status];
  return html`<span class="st st-${status}" title="${status}"><span aria-hidden="true">${icon}</span> ${label}</span>`;
}

/** "1h 02m", "3m 07s", "12s"; under a second "0s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

const between = (a?: string, b?: string, now = Date.now()): number | undefined => {
  if (!a) return undefined;
  const end = b ? Date.parse(b) : now;
  return end - Date.parse(a);
};

/** Time waiting for a runner: until it started, or until now if still queued. */
export function queuedFor(job: Pick<Job, 'queuedAt' | 'startedAt' | 'status' | 'finishedAt'>, now = Date.now()): number | undefined {
  if (job.startedAt) return between(job.queuedAt, job.startedAt, now);
  if (job.status === 'queued') return between(job.queuedAt, undefined, now);
  return job.finishedAt ? between(job.queuedAt, job.finishedAt, now) : undefined;
}

/** Time running: until it finished, or until now if running. */
export function ranFor(job: Pick<Job, 'startedAt' | 'finishedAt' | 'status'>, now = Date.now()): number | undefined {
  if (!job.startedAt) return undefined;
  if (job.finishedAt) return between(job.startedAt, job.finishedAt, now);
  return job.status === 'running' ? between(job.startedAt, undefined, now) : undefined;
}

/** "2026-11-21 10:03:12 UTC" in a <time> element carrying the exact instant. */
export function timestamp(iso: string | undefined): Html {
  if (!iso) return html``;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return html`${iso}`;
  const text = d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return html`<time datetime="${d.toISOString()}">${text}</time>`;
}

/** "refs/heads/main" → "main", "pull/12" → "PR #12". */
export function refLabel(ref: string): string {
  if (ref.startsWith('refs/heads/')) return ref.slice('refs/heads/'.length);
  const pr = /^pull\/(\d+)$/.exec(ref);
  if (pr) return `PR #${pr[1]}`;
  return ref;
}

export const shortSha = (sha: string): string => sha.slice(0, 8);
