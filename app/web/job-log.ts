// A job and the run whose log is shown, and the three ways its log leaves the server: inside the
// HTML page, as plain text, and as NDJSON for the CLI. All read the store a page at a time.
import { isFinal, type Job, type Repository } from '../../lib/contract/index.ts';
import { NotFoundError } from '../../lib/errors/index.ts';
import type { Services } from '../services.ts';
import type { Viewer } from './access.ts';
import { stripAnsi } from './ansi.ts';
import type { AccessLevel } from './github-user.ts';
import { LogHtmlRenderer, START_CURSOR, type HtmlLogCursor } from './log-html.ts';
import { LineSplitter } from './log-lines.ts';
import { currentRun, listRuns, readJob, readRepo, type RunRef, type WebDeps } from './queries.ts';
import { jobStateHtml } from './views/job-page.ts';

/**
 * Chunks per store read: at most 4 × 64 KiB in flight, whatever the log's size. Small pages keep
 * what survives across the awaits (and so gets promoted to the old heap) small.
 */
const PAGE = 4;

export interface LoadedJob {
  repo: Repository;
  level: AccessLevel;
  job: Job;
  runs: RunRef[];
  run?: RunRef;
  /** The shown run is the job's current one (not an earlier attempt). */
  current: boolean;
  live: boolean;
}

export const runKey = (r: Pick<RunRef, 'generation' | 'attempt'> | undefined): string => (r ? `${r.generation}.${r.attempt}` : '');

export async function loadJob(
  deps: WebDeps,
  viewer: Viewer,
  name: string,
  sha: string,
  variant: string,
  want?: { generation: number; attempt: number },
): Promise<LoadedJob> {
  const { repo, level } = await readRepo({ ...deps, viewer }, name);
  const job = await readJob(deps.svc, repo, sha, variant);
  const runs = await listRuns(deps.svc, job);
  const current = currentRun(job);
  let run: RunRef | undefined = current;
  if (want) {
    run = runs.find((r) => r.generation === want.generation && r.attempt === want.attempt);
    if (!run && current && runKey(current) === runKey(want)) run = current;
    if (!run) throw new NotFoundError(`job ${variant} has no run ${runKey(want)}`);
  }
  const isCurrent = run === undefined ? !want : Boolean(current && run.logId === current.logId);
  const live = Boolean(run && isCurrent && !isFinal(job.status));
  return { repo, level, job, runs, ...(run ? { run } : {}), current: isCurrent, live };
}

/** The log as HTML lines (one string per chunk), then `tail` with the cursor a live reader resumes from. */
export async function* htmlLogParts(
  svc: Services,
  run: RunRef | undefined,
  live: boolean,
  tail: (cursor: HtmlLogCursor, empty: boolean) => string,
): AsyncGenerator<string> {
  const r = new LogHtmlRenderer();
  let seq = 0;
  let offset = 0;
  if (run) {
    const splitter = new LineSplitter(START_CURSOR);
    let parts: string[] = [];
    const onLine = (text: string, s: number, o: number) => {
      parts.push(r.render(text));
      seq = s;
      offset = o;
    };
    for await (const c of svc.store.logs.read(run.logId, 0, PAGE)) {
      splitter.feed(c, onLine);
      if (parts.length > 0) {
        // Joined into one flat string, so the chunk the lines were cut from can go.
        yield parts.join('');
        parts = [];
      }
    }
    if (!live) splitter.flush(onLine);
    if (parts.length > 0) yield parts.join('');
  }
  yield tail({ seq, offset, line: r.line, sgr: r.sgr }, r.line === 0);
}

/** The log as text; escapes stripped unless `ansi`. Escapes never span lines, so a held-back partial line suffices. */
export async function* rawLogParts(svc: Services, logId: string, ansi: boolean): AsyncGenerator<string> {
  let carry = '';
  for await (const c of svc.store.logs.read(logId, 0, PAGE)) {
    if (ansi) {
      yield c.text;
      continue;
    }
    const text = carry + c.text;
    const nl = text.lastIndexOf('\n');
    if (nl === -1) {
      carry = text;
      continue;
    }
    carry = text.slice(nl + 1);
    yield stripAnsi(text.slice(0, nl + 1));
  }
  if (carry) yield ansi ? carry : stripAnsi(carry);
}

/** What the live script gets: new lines as HTML from its cursor, at most ~`budget` characters. */
export async function liveUpdate(
  svc: Services,
  loaded: LoadedJob,
  cursor: HtmlLogCursor & { run: string },
  budget = 256 * 1024,
): Promise<{ html: string; cursor: HtmlLogCursor; more: boolean; done: boolean; reload: boolean; stateHtml: string }> {
  const { job, run } = loaded;
  const stateHtml = jobStateHtml(job).toString();
  // A rebuild or a new attempt started: the page must show the new run from its start.
  if (runKey(run) !== cursor.run) return { html: '', cursor, more: false, done: false, reload: true, stateHtml };
  const final = isFinal(job.status);
  if (!run) return { html: '', cursor, more: false, done: final, reload: false, stateHtml };
  const r = new LogHtmlRenderer(cursor);
  let next: HtmlLogCursor = { seq: cursor.seq, offset: cursor.offset, line: cursor.line, sgr: cursor.sgr };
  const parts: string[] = [];
  let size = 0;
  let more = false;
  const onLine = (text: string, seq: number, offset: number) => {
    const h = r.render(text);
    parts.push(h);
    size += h.length;
    next = { seq, offset, line: r.line, sgr: r.sgr };
    if (size >= budget) {
      more = true;
      return false;
    }
    return true;
  };
  const splitter = new LineSplitter(cursor);
  for await (const c of svc.store.logs.read(run.logId, cursor.seq, PAGE)) {
    if (!splitter.feed(c, onLine)) break;
  }
  if (final && !more) splitter.flush(onLine);
  const html = parts.join('');
  return { html, cursor: next, more, done: final && !more, reload: false, stateHtml };
}

export interface ApiRunInfo {
  job: string;
  status: Job['status'];
  run: string;
}

/**
 * NDJSON for the CLI: a `run` line, one `chunk` line per stored chunk from `from`, then an `end`
 * line with the next seq and whether the log is complete (the job has finished).
 */
export async function* ndjsonLogParts(svc: Services, loaded: LoadedJob, from: number): AsyncGenerator<string> {
  const { job, run } = loaded;
  // An earlier attempt's log is complete; the current one is once the job has finished.
  const done = isFinal(job.status) || !loaded.current;
  yield JSON.stringify({ type: 'run', job: job.name, status: job.status, run: runKey(run) || null, ...(job.reason ? { reason: job.reason } : {}) }) + '\n';
  let next = from;
  if (run) {
    for await (const c of svc.store.logs.read(run.logId, from, PAGE)) {
      yield JSON.stringify({ type: 'chunk', seq: c.seq, at: c.at, text: c.text }) + '\n';
      next = c.seq + 1;
    }
  }
  yield JSON.stringify({ type: 'end', next, done }) + '\n';
}
