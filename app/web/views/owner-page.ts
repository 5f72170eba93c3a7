import type { Repository } from '../../../lib/contract/index.ts';
import { html } from '../html.ts';
import { page } from '../layout.ts';
import { repoPath } from '../paths.ts';
import { isLocalRepo, type ViewContext } from './common.ts';

export function ownerPage(ctx: ViewContext, owner: string, repos: Repository[]): string {
  const body = html`<h1>${owner}</h1>
<p class="sub">${repos.length} ${repos.length === 1 ? 'repository' : 'repositories'}</p>
<div class="card"><table>
<thead><tr><th>Repository</th><th>Description</th><th class="hide-sm">Default branch</th></tr></thead>
<tbody>${repos.map(
    (r) => html`<tr><td class="nowrap"><a href="${repoPath(r.name)}"><b>${r.name.split('/')[1]}</b></a>${r.private ? html`<span class="tag">private</span>` : ''}${r.active ? '' : html`<span class="tag">inactive</span>`}</td><td class="muted">${r.description}</td><td class="hide-sm mono">${r.defaultBranch}</td></tr>`,
  )}</tbody></table></div>`;
  // `cid local` puts its repositories under the made-up owner "local".
  const local = repos.length > 0 && repos.every(isLocalRepo);
  return page({ ...ctx, title: owner, crumbs: local ? [{ label: 'local repositories' }] : [{ label: 'github', href: '/' }, { label: owner }] }, body);
}
