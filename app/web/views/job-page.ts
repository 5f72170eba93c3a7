// The job page, in two halves around the streamed log (see ../log-stream.ts).
import { isFinal, type Job, type Pipeline, type Repository } from '../../../lib/contract/index.ts';
import { formatDuration, queuedFor, ranFor, shortSha, statusBadge, timestamp } from '../format.ts';
import { html, type Html } from '../html.ts';
import { pageHead, pageTail } from '../layout.ts';
import type { HtmlLogCursor } from '../log-html.ts';
import { commitPath, jobPath } from '../paths.ts';
import type { RunRef } from '../queries.ts';
import { actionButton, actionsHint, repoCrumbs, type ViewContext } from './common.ts';

export interface JobView {
  repo: Repository;
  pipeline?: Pipeline;
  job: Job;
  /** The run whose log is shown; undefined when none has started. */
  run?: RunRef;
  runs: RunRef[];
  /** The shown run is the job's current one and may still grow. */
  live: boolean;
  canWrite: boolean;
  reproduce?: string;
  now?: number;
}

const runKey = (r: Pick<RunRef, 'generation' | 'attempt'>): string => `${r.generation}.${r.attempt}`;

/** The state line the live script refreshes. */
export function jobStateHtml(job: Job, now = Date.now()): Html {
  const waited = queuedFor(job, now);
  const ran = ranFor(job, now);
  const parts: Html[] = [statusBadge(job.status)];
  if (job.status === 'queued') parts.push(html` waiting for a runner${waited !== undefined ? html` for ${formatDuration(waited)}` : ''}`);
  else if (job.status === 'running') parts.push(html` running for ${formatDuration(ran ?? 0)}${job.cancelRequested ? ' (cancelling)' : ''}`);
  else if (ran !== undefined) parts.push(html` after ${formatDuration(ran)}`);
  if (job.reason && job.status !== 'passed') parts.push(html` — <span class="reason">${job.reason}</span>`);
  return html`${parts}`;
}

function runsList(v: JobView): Html {
  if (v.runs.length < 2) return html``;
  const base = jobPath(v.repo.name, v.job.sha, v.job.name);
  return html`<h2>Runs</h2><div class="card runs"><ul class="plain">${v.runs.map(
    (r, i) =>
      html`<li><a href="${base}?run=${runKey(r)}"${v.run && runKey(v.run) === runKey(r) ? html` class="current"` : ''}>Attempt ${r.attempt}</a> <span class="muted">· build ${r.generation}${i === 0 ? ' · latest' : ''}</span></li>`,
  )}</ul></div>`;
}

export function jobPageHead(ctx: ViewContext, v: JobView): string {
  const { repo, job } = v;
  const base = jobPath(repo.name, job.sha, job.name);
  const actions = v.canWrite
    ? html`<div class="actions">${isFinal(job.status) ? actionButton(ctx, `${base}/rebuild`, 'Rebuild') : ''}${!isFinal(job.status) ? actionButton(ctx, `${base}/cancel`, 'Cancel', { danger: true }) : ''}</div>`
    : actionsHint(ctx, false);
  const rawHref = `${base}/raw${v.run && v.run.logId !== v.runs[0]?.logId ? `?run=${runKey(v.run)}` : ''}`;
  const top = html`<h1 class="mono">${job.name}${job.experimental ? html`<span class="tag" title="never fails the commit">experimental</span>` : ''}</h1>
<p class="sub"><a href="${commitPath(repo.name, job.sha)}">${repo.name} @ ${shortSha(job.sha)}</a> · <span class="mono">${job.pool}</span> · queued ${timestamp(job.queuedAt)}${job.startedAt ? html` · started ${timestamp(job.startedAt)}` : ''}${job.finishedAt ? html` · finished ${timestamp(job.finishedAt)}` : ''}</p>
<p id="job-state">${jobStateHtml(job, v.now)}</p>
${actions}
${runsList(v)}
${v.reproduce ? html`<details class="repro"><summary>To reproduce locally</summary><pre class="block mono">${v.reproduce}</pre></details>` : ''}
<h2>Log${v.run ? html` <span class="muted">· attempt ${v.run.attempt}</span>` : ''} <a class="tag" href="${rawHref}">raw</a></h2>`;
  const head = pageHead({
    ...ctx,
    title: `${job.name} · ${repo.name}@${shortSha(job.sha)}`,
    crumbs: [
      ...repoCrumbs(repo, { link: true }),
      { label: shortSha(job.sha), href: commitPath(repo.name, job.sha) },
      { label: job.name },
    ],
    wide: true,
    // Without the script, a running job's page reloads itself.
    ...(v.live || !isFinal(job.status) ? { refreshSeconds: 10, refreshWithoutScript: true } : {}),
  });
  const live = v.live || (!v.run && !isFinal(job.status));
  return `${head}${top.toString()}\n<div id="log" class="log"${live ? html` data-live="${base}/live"`.toString() : ''}>\n`;
}

export function jobPageTail(v: JobView, cursor: HtmlLogCursor, empty: boolean): string {
  const note = empty ? html`<div id="log-empty" class="log-empty">${v.run ? 'The log is empty so far.' : isFinal(v.job.status) ? 'This job left no log.' : 'Waiting for a runner to start the job…'}</div>` : html``;
  const end = html`</div>
<div id="log-end" data-seq="${cursor.seq}" data-offset="${cursor.offset}" data-line="${cursor.line}" data-sgr="${cursor.sgr}" data-run="${v.run ? runKey(v.run) : ''}"></div>\n`;
  // The empty note sits inside the log box, before it closes.
  return note.toString() + end.toString() + pageTail(['/static/log.js']);
}
