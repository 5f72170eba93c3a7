// Pieces shared by the pages.
import { html, safeUrl, type Html } from '../html.ts';
import type { Crumb, PageOptions } from '../layout.ts';
import type { Repository } from '../../../lib/contract/index.ts';
import { ownerPath, repoPath } from '../paths.ts';

/** What every page needs to know about the request. */
export type ViewContext = Pick<PageOptions, 'user' | 'canSignIn' | 'path'>;

/** A POST form with one button, carrying the session's CSRF token. */
export function actionButton(ctx: ViewContext, action: string, label: string, opts: { danger?: boolean; title?: string } = {}): Html {
  const csrf = ctx.user?.csrf ?? '';
  return html`<form method="post" action="${action}"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit"${opts.danger ? html` class="danger"` : ''}${opts.title ? html` title="${opts.title}"` : ''}>${label}</button></form>`;
}

/** Why there are no buttons: not signed in, or no write access. */
export function actionsHint(ctx: ViewContext, canWrite: boolean): Html {
  if (canWrite) return html``;
  if (!ctx.user && ctx.canSignIn) return html`<p class="muted"><a href="/login?return_to=${encodeURIComponent(ctx.path)}">Sign in</a> to rebuild or cancel.</p>`;
  return html``;
}

/** A `cid local` run's repository: its URL is the file: URL of the user's checkout, not GitHub's. */
export const isLocalRepo = (repo: Pick<Repository, 'url'>): boolean => repo.url.startsWith('file:');

/**
 * The crumbs of a repository's pages: "github / owner / name", or "local / name" for a local
 * repository (its owner, "local", is made up: no page of GitHub's or ours to link to).
 */
export function repoCrumbs(repo: Repository, opts: { link: boolean }): Crumb[] {
  const [owner, name] = repo.name.split('/') as [string, string];
  const last: Crumb = opts.link ? { label: name, href: repoPath(repo.name) } : { label: name };
  if (isLocalRepo(repo)) return [{ label: 'local repository', href: '/' }, last];
  return [{ label: 'github', href: '/' }, { label: owner, href: ownerPath(owner) }, last];
}

/** Where the repository lives: a link to it on GitHub, or the local path it was built from (no link). */
export function repoWhere(repo: Repository, sha?: string): Html {
  if (isLocalRepo(repo)) return html`<span class="tag" title="built by cid local">local</span> <span class="mono">${repo.description}</span>`;
  return sha === undefined ? html`<a href="${safeUrl(repo.url)}">on GitHub</a>` : html`<a href="${safeUrl(repo.url)}/commit/${sha}">commit on GitHub</a>`;
}
