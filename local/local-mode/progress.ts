// Progress of a cid local run in the terminal. On a TTY one block (a header and a line per job)
// is redrawn in place with cursor movement; elsewhere (pipes, CI logs) a plain line is printed
// each time a job changes state, so the output reads top to bottom.
import type { Job } from '../../lib/contract/index.ts';
import { duration, table } from '../../cli/output.ts';
import { IMAGE_UNAVAILABLE } from './local-report.ts';
import type { Snapshot } from './watch-pipeline.ts';

export interface ProgressView {
  update(s: Snapshot): void;
  /** The run is over: the last state stays on screen. */
  end(s: Snapshot): void;
}

const label = (j: Job): string => j.name + (j.experimental ? ' (experimental)' : '');
/** Start to end, or to now while it runs. */
const took = (j: Job, now = Date.now()): string => duration(j.startedAt, j.finishedAt ?? new Date(now).toISOString());
const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').trim();
const MAX_REASON = 120;

/**
 * A reason as progress shows it: one line, short. A missing image's reason carries the engine's
 * whole registry error, the same for every job: only the summary says it, once.
 */
export function shortReason(reason: string): string {
  const image = IMAGE_UNAVAILABLE.exec(reason);
  if (image) return `image ${image[1]} is unavailable`;
  const line = oneLine(reason);
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON - 1)}…` : line;
}

/** Within one snapshot, what ended is told before what started: with -j 1 a job ends, then the next runs. */
const ORDER: Record<string, number> = { queued: 2, running: 1 };

/** One line per change of a job's state (and run: a rebuild starts it over). */
export function plainProgress(write: (line: string) => void): ProgressView {
  const seen = new Map<string, string>();
  const update = (s: Snapshot) => {
    const changed = s.jobs.filter((j) => seen.get(j.name) !== `${j.generation}.${j.status}`);
    changed.sort((a, b) => (ORDER[a.status] ?? 0) - (ORDER[b.status] ?? 0));
    for (const j of changed) {
      seen.set(j.name, `${j.generation}.${j.status}`);
      // A job cancelled while queued never started: no time to show.
      const time = j.finishedAt && j.startedAt && j.status !== 'skipped' ? ` in ${took(j)}` : '';
      const why = j.reason && j.status !== 'passed' ? `: ${shortReason(j.reason)}` : '';
      write(`${j.status.padEnd(9)} ${label(j)}${time}${why}`);
    }
  };
  return { update, end: update };
}

export interface TtyOptions {
  /** Colours a status word (cli/output.ts paintStatus). */
  paint: (status: string) => string;
  /** The terminal's size now (it may change between draws). */
  size: () => { columns: number; rows: number };
  now?: () => number;
}

/** What matters most when there is no room for every job: running, then failed, then waiting. */
const RANK: Record<string, number> = { running: 0, failed: 1, errored: 1, queued: 2, cancelled: 3, passed: 4, skipped: 5 };

function visibleJobs(jobs: Job[], room: number): { shown: Job[]; hidden: Job[] } {
  if (jobs.length <= room) return { shown: jobs, hidden: [] };
  const keep = new Set([...jobs].sort((a, b) => (RANK[a.status] ?? 9) - (RANK[b.status] ?? 9)).slice(0, Math.max(0, room - 1)));
  return { shown: jobs.filter((j) => keep.has(j)), hidden: jobs.filter((j) => !keep.has(j)) };
}

const truncate = (line: string, width: number): string => (line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line);

/** The block as lines of plain text (no colour), fitted to the terminal. */
export function renderBlock(s: Snapshot, size: { columns: number; rows: number }, now = Date.now()): string[] {
  const elapsed = duration(s.pipeline.createdAt, new Date(now).toISOString());
  const header = `${s.pipeline.repo} @ ${s.pipeline.sha.slice(0, 12)}: ${s.status} (${elapsed})`;
  // A block taller than the screen cannot be redrawn in place: leave a line of margin.
  const { shown, hidden } = visibleJobs(s.jobs, Math.max(1, size.rows - 2));
  const rows = shown.map((j) => [j.status, label(j), j.status === 'queued' || j.status === 'skipped' ? '' : took(j, now), j.reason && j.status !== 'passed' ? shortReason(j.reason) : '']);
  const lines = [header, ...(rows.length ? table(rows).split('\n').map((l) => `  ${l}`) : [])];
  if (hidden.length) {
    const counts = new Map<string, number>();
    for (const j of hidden) counts.set(j.status, (counts.get(j.status) ?? 0) + 1);
    lines.push(`  … ${hidden.length} more: ${[...counts].map(([st, n]) => `${n} ${st}`).join(', ')}`);
  }
  return lines.map((l) => truncate(l, Math.max(20, size.columns - 1)));
}

export function ttyProgress(write: (text: string) => void, o: TtyOptions): ProgressView {
  let drawn = 0;
  let previous = '';
  const draw = (s: Snapshot) => {
    const lines = renderBlock(s, o.size(), o.now?.() ?? Date.now());
    const text = lines.map((l) => l.replace(/^( {2})(\w+)/, (_m, pad: string, st: string) => pad + o.paint(st))).join('\n');
    if (text === previous) return;
    previous = text;
    // Back to the block's first line, clear to the end of the screen, draw again.
    const back = drawn > 0 ? `\x1b[${drawn}F\x1b[0J` : '';
    write(back + text);
    drawn = lines.length;
  };
  return { update: draw, end: draw };
}
