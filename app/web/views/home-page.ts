import { html } from '../html.ts';
import { page } from '../layout.ts';
import { ownerPath } from '../paths.ts';
import type { OwnerSummary } from '../queries.ts';
import type { ViewContext } from './common.ts';

export function homePage(ctx: ViewContext, owners: OwnerSummary[]): string {
  const body = html`<h1>Organisations</h1>
<p class="sub">Accounts with repositories built by cid.</p>
<div class="card">${
    owners.length === 0
      ? html`<p class="log-empty muted">No repositories yet: install the GitHub App on an account.</p>`
      : html`<ul class="plain">${owners.map(
          (o) => html`<li><a href="${ownerPath(o.owner)}"><b>${o.owner}</b></a> <span class="muted">· ${o.repos} ${o.repos === 1 ? 'repository' : 'repositories'}</span></li>`,
        )}</ul>`
  }</div>`;
  return page({ ...ctx, title: 'Organisations', crumbs: [{ label: 'github' }] }, body);
}
