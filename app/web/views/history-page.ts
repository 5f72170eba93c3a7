import type { Pipeline, Repository } from '../../../lib/contract/index.ts';
import { refLabel, shortSha, statusBadge, timestamp } from '../format.ts';
import { html } from '../html.ts';
import { page } from '../layout.ts';
import { commitPath } from '../paths.ts';
import { repoCrumbs, type ViewContext } from './common.ts';

export function historyPage(ctx: ViewContext, repo: Repository, ref: string, items: Pipeline[], next?: string): string {
  const body = html`<h1>History of ${refLabel(ref)}</h1>
<p class="sub">${repo.name} · commits built for <span class="mono">${ref}</span>, newest first</p>
<div class="card"><table>
<thead><tr><th>Status</th><th>Commit</th><th>First built</th><th class="hide-sm">Refs now</th></tr></thead>
<tbody>${
    items.length
      ? items.map(
          (p) => html`<tr><td>${statusBadge(p.status)}</td><td class="mono"><a href="${commitPath(repo.name, p.sha)}">${shortSha(p.sha)}</a></td><td class="nowrap">${timestamp(p.createdAt)}</td><td class="hide-sm">${p.refs.map((r) => html`<span class="tag">${refLabel(r)}</span>`)}</td></tr>`,
        )
      : html`<tr><td colspan="4" class="muted">Nothing built for this ref.</td></tr>`
  }</tbody></table></div>
${next ? html`<p><a href="?after=${encodeURIComponent(next)}">Older →</a></p>` : ''}`;
  return page(
    {
      ...ctx,
      title: `${repo.name} ${refLabel(ref)} history`,
      crumbs: [...repoCrumbs(repo, { link: true }), { label: `history: ${refLabel(ref)}` }],
    },
    body,
  );
}
