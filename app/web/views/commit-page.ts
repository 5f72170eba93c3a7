import { isFinal, type Job, type Pipeline, type Repository } from '../../../lib/contract/index.ts';
import { formatDuration, queuedFor, ranFor, refLabel, shortSha, statusBadge, timestamp } from '../format.ts';
import { html, type Html } from '../html.ts';
import { page } from '../layout.ts';
import { commitPath, historyPath, jobPath } from '../paths.ts';
import { actionButton, actionsHint, repoCrumbs, repoWhere, type ViewContext } from './common.ts';

export interface CommitView {
  repo: Repository;
  pipeline: Pipeline;
  jobs: Job[];
  canWrite: boolean;
  now?: number;
}

function counts(jobs: Job[]): Html {
  const by = new Map<string, number>();
  for (const j of jobs) by.set(j.status, (by.get(j.status) ?? 0) + 1);
  const order = ['passed', 'failed', 'errored', 'running', 'queued', 'cancelled', 'skipped'];
  return html`<div class="summary"><span><b>${jobs.length}</b> jobs</span>${order
    .filter((s) => by.has(s))
    .map((s) => html`<span><b>${by.get(s)}</b> ${s}</span>`)}</div>`;
}

function jobRow(v: CommitView, j: Job): Html {
  const now = v.now ?? Date.now();
  const waited = queuedFor(j, now);
  const ran = ranFor(j, now);
  return html`<tr id="job-${j.id}">
<td>${statusBadge(j.status)}</td>
<td><a href="${jobPath(v.repo.name, v.pipeline.sha, j.name)}" class="mono">${j.name}</a>${j.experimental ? html`<span class="tag" title="never fails the commit">experimental</span>` : ''}${j.reason && j.status !== 'passed' ? html`<div class="reason">${j.reason}</div>` : ''}</td>
<td class="nowrap hide-sm">${timestamp(j.queuedAt)}</td>
<td class="num">${waited === undefined ? '' : formatDuration(waited)}</td>
<td class="num">${ran === undefined ? '' : formatDuration(ran)}</td>
</tr>`;
}

const list = (names: readonly string[]): string => names.join(', ');

/** What the analysis decided: root and pinned packages, and the jobs that leave roots out (and why). */
function packagesSection(v: CommitView): Html {
  const { pipeline, jobs } = v;
  const partial = jobs.filter((j) => j.packages && (j.packages.leftOut.length > 0 || j.packages.omitted > 0));
  if (pipeline.roots === undefined && partial.length === 0) return html``;
  const facts = html`<p class="sub">Root packages: <span class="mono">${pipeline.roots?.length ? list(pipeline.roots) : '(none)'}</span>${
    pipeline.pinned?.length ? html` · pinned: <span class="mono">${list(pipeline.pinned)}</span>` : ''
  }</p>`;
  const table = partial.length
    ? html`<div class="card"><table><thead><tr><th>Job</th><th>Builds</th><th>Leaves out</th></tr></thead><tbody>${partial.map((j) => {
        const p = j.packages!;
        return html`<tr id="packages-${j.id}"><td><a href="${jobPath(v.repo.name, pipeline.sha, j.name)}" class="mono">${j.name}</a></td><td class="mono">${list(p.built) || '(none)'}</td><td>${p.leftOut.map(
          (l) => html`<div><span class="mono">${l.name}</span>: <span class="muted">${l.reason}</span></div>`,
        )}${p.omitted > 0 ? html`<div class="muted">and ${p.omitted} more not listed</div>` : ''}</td></tr>`;
      })}</tbody></table></div>`
    : html`<p class="muted">Every job builds every root package.</p>`;
  return html`<h2>Packages</h2>${facts}${table}`;
}

export function commitPage(ctx: ViewContext, v: CommitView): string {
  const { repo, pipeline, jobs } = v;
  const path = commitPath(repo.name, pipeline.sha);
  const active = jobs.some((j) => !isFinal(j.status));
  const failed = jobs.some((j) => ['failed', 'errored', 'cancelled'].includes(j.status));
  const actions = v.canWrite
    ? html`<div class="actions">${failed ? actionButton(ctx, `${path}/rebuild-failed`, 'Rebuild failed jobs') : ''}${jobs.some((j) => isFinal(j.status)) ? actionButton(ctx, `${path}/rebuild-all`, 'Rebuild all') : ''}${active ? actionButton(ctx, `${path}/cancel`, 'Cancel', { danger: true }) : ''}</div>`
    : actionsHint(ctx, false);
  const refs = pipeline.refs.map((r) => {
    const h = historyPath(repo.name, r);
    return h ? html`<a href="${h}" class="tag" title="history of ${refLabel(r)}">${refLabel(r)}</a>` : html`<span class="tag">${refLabel(r)}</span>`;
  });
  const body = html`<h1>${repo.name} <span class="muted mono">@ ${shortSha(pipeline.sha)}</span></h1>
<p class="sub">${statusBadge(pipeline.status)} ${refs} · created ${timestamp(pipeline.createdAt)} · ${repoWhere(repo, pipeline.sha)} · <a href="/api${path}">JSON</a></p>
${pipeline.error ? html`<div class="banner error"><b>Pipeline error:</b> ${pipeline.error}</div>` : ''}
${counts(jobs)}
${actions}
<div class="card"><table>
<thead><tr><th>Status</th><th>Job</th><th class="hide-sm">Queued at</th><th class="num">Waited</th><th class="num">Ran</th></tr></thead>
<tbody>${jobs.length ? jobs.map((j) => jobRow(v, j)) : html`<tr><td colspan="5" class="muted">No jobs yet.</td></tr>`}</tbody>
</table></div>
${packagesSection(v)}
${
  pipeline.dropped.length
    ? html`<h2>Platforms not built</h2>
<div class="card"><table><thead><tr><th>Platform</th><th>Why</th></tr></thead><tbody>${pipeline.dropped.map(
        (d) => html`<tr><td class="mono">${d.variant}</td><td class="muted">${d.reason}</td></tr>`,
      )}</tbody></table></div>`
    : ''
}`;
  return page(
    {
      ...ctx,
      title: `${repo.name}@${shortSha(pipeline.sha)}`,
      crumbs: [
        ...repoCrumbs(repo, { link: true }),
        { label: shortSha(pipeline.sha) },
      ],
      ...(active || pipeline.status === 'pending' || pipeline.status === 'running' ? { refreshSeconds: 10 } : {}),
    },
    body,
  );
}
