import type { Repository } from '../../../lib/contract/index.ts';
import { refLabel, shortSha, statusBadge, timestamp } from '../format.ts';
import { html, type Html } from '../html.ts';
import { page } from '../layout.ts';
import { commitPath, historyPath } from '../paths.ts';
import type { RefSummary } from '../queries.ts';
import { repoCrumbs, repoWhere, isLocalRepo, type ViewContext } from './common.ts';

function refTable(repo: Repository, refs: RefSummary[], empty: string): Html {
  if (refs.length === 0) return html`<div class="card"><p class="log-empty muted">${empty}</p></div>`;
  return html`<div class="card"><table>
<thead><tr><th>Ref</th><th>Status</th><th>Commit</th><th class="hide-sm">Updated</th><th class="hide-sm">History</th></tr></thead>
<tbody>${refs.map((r) => {
    const hist = historyPath(repo.name, r.ref);
    return html`<tr><td><b>${refLabel(r.ref)}</b>${r.ref === `refs/heads/${repo.defaultBranch}` ? html`<span class="tag">default</span>` : ''}</td>
<td>${r.pipeline ? statusBadge(r.pipeline.status) : statusBadge('unknown', 'no pipeline')}</td>
<td class="mono"><a href="${commitPath(repo.name, r.sha)}">${shortSha(r.sha)}</a></td>
<td class="hide-sm nowrap">${timestamp(r.updatedAt)}</td>
<td class="hide-sm">${hist ? html`<a href="${hist}">history</a>` : ''}</td></tr>`;
  })}</tbody></table></div>`;
}

export function repoPage(ctx: ViewContext, repo: Repository, refs: RefSummary[]): string {
  const branches = refs.filter((r) => r.kind === 'branch');
  const pulls = refs.filter((r) => r.kind === 'pull');
  const body = html`<h1>${repo.name}${repo.private ? html`<span class="tag">private</span>` : ''}</h1>
<p class="sub">${repo.description && !isLocalRepo(repo) ? html`${repo.description} · ` : ''}${repoWhere(repo)}</p>
<h2>Branches</h2>
${refTable(repo, branches, 'No branches built yet.')}
<h2>Pull requests</h2>
${refTable(repo, pulls, 'No open pull requests.')}`;
  return page({ ...ctx, title: repo.name, crumbs: repoCrumbs(repo, { link: false }) }, body);
}
